package main

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"gopkg.in/yaml.v3"
)

// TestComposeMatchesHarness: docker-compose.yml declares the deployment
// the harness runs and kills: as many NATS nodes, the same replica count
// in the roles' configuration, and a service per role with the harness's
// number of processes and command. (cmd/syndicator/compose_test.go checks
// the rest of the file: syntax, variables, configurations, pins.)
func TestComposeMatchesHarness(t *testing.T) {
	opts, err := cli.NewProjectOptions([]string{"../../docker-compose.yml"},
		cli.WithEnv([]string{"MINIO_ROOT_PASSWORD=minio-password-0123456789",
			"SYND_OPERATOR_TOKEN=operator-token-0123456789abcdef", "SYND_AUDITOR_TOKEN=auditor-token-0123456789abcdef"}))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("load docker-compose.yml: %v", err)
	}
	nats := 0
	for name, svc := range p.Services {
		if strings.HasPrefix(svc.Image, "nats:") {
			nats++
			if !strings.HasPrefix(name, "nats") {
				t.Errorf("service %s runs NATS but is not named natsN", name)
			}
		}
	}
	if nats != topology.NATSNodes {
		t.Errorf("docker-compose.yml runs %d NATS nodes, the harness %d", nats, topology.NATSNodes)
	}
	for _, r := range topology.Roles {
		svc, ok := p.Services[r.Service]
		if !ok {
			t.Errorf("no service %s for the harness's %s role", r.Service, r.Name)
			continue
		}
		replicas := 1
		if svc.Deploy != nil && svc.Deploy.Replicas != nil {
			replicas = *svc.Deploy.Replicas
		}
		if replicas != r.Count {
			t.Errorf("service %s has %d replicas, the harness runs %d %s processes", r.Service, replicas, r.Count, r.Name)
		}
		if got := []string(svc.Command); len(got) < len(r.Args) || !slices.Equal(got[:len(r.Args)], r.Args) {
			t.Errorf("service %s runs %q, the harness %q", r.Service, got, r.Args)
		}
	}
	// The roles' configuration asks for the harness's replica count.
	data, err := os.ReadFile("../../examples/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		NATS struct {
			Replicas int `yaml:"replicas"`
		} `yaml:"nats"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("examples/compose.yaml: %v", err)
	}
	if cfg.NATS.Replicas != topology.Replicas {
		t.Errorf("examples/compose.yaml: nats.replicas %d, the harness %d", cfg.NATS.Replicas, topology.Replicas)
	}
}
