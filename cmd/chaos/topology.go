package main

// role is one kind of syndicator process the harness runs: the command
// line after the binary, and how many processes run it. docker-compose.yml
// declares the same deployment (TestComposeMatchesHarness): a service per
// role with as many replicas, on as many NATS nodes.
type role struct {
	// Name is the process kind in the report and the compose service.
	Name    string
	Service string
	Args    []string
	Count   int
}

// topology is the deployment under test: three NATS nodes holding every
// stream in three replicas, one MinIO (archive and site buckets), and the
// roles below, each a separate process with its own data_dir.
var topology = struct {
	NATSNodes, Replicas int
	Roles               []role
}{
	NATSNodes: 3,
	Replicas:  3,
	Roles: []role{
		{Name: "crawl", Service: "crawl", Args: []string{"crawl"}, Count: 2},
		{Name: "archive", Service: "sink-archive", Args: []string{"sink", "archive"}, Count: 2},
		{Name: "site", Service: "sink-site", Args: []string{"sink", "site"}, Count: 2},
		{Name: "serve", Service: "serve", Args: []string{"serve"}, Count: 1},
	},
}
