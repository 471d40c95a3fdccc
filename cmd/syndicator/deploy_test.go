package main

import (
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// There is no Docker engine in CI, so docker-compose.yml is checked
// statically: the services the design names exist, the roles run commands
// this binary accepts and NATS fsyncs every write. compose_test.go loads it
// as Compose does and checks the rendered configurations.
func TestDockerComposeIsConsistent(t *testing.T) {
	data, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Image    string            `yaml:"image"`
			Build    any               `yaml:"build"`
			Command  []string          `yaml:"command"`
			Env      map[string]string `yaml:"environment"`
			Configs  []struct{ Source, Target string }
			Hostname string `yaml:"hostname"`
		} `yaml:"services"`
		Configs map[string]struct {
			Content string `yaml:"content"`
			File    string `yaml:"file"`
		} `yaml:"configs"`
	}
	if err := yaml.Unmarshal(data, &compose); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}

	nats := 0
	for name, svc := range compose.Services {
		if strings.HasPrefix(name, "nats") {
			nats++
			if len(svc.Configs) != 1 || svc.Configs[0].Source != "nats-conf" {
				t.Errorf("%s: does not mount nats-conf", name)
			}
		}
	}
	if nats < 3 {
		t.Errorf("%d NATS services, want a cluster of 3", nats)
	}
	conf := compose.Configs["nats-conf"].Content
	for _, want := range []string{"jetstream", "sync_interval: always", "cluster", "routes"} {
		if !strings.Contains(conf, want) {
			t.Errorf("nats.conf lacks %q", want)
		}
	}
	if _, ok := compose.Services["minio"]; !ok {
		t.Error("no minio service")
	}

	wantRoles := map[string][]string{
		"crawl": {"crawl"}, "sink-archive": {"sink", "archive"}, "sink-site": {"sink", "site"}, "serve": {"serve"},
	}
	for name, args := range wantRoles {
		svc, ok := compose.Services[name]
		if !ok {
			t.Errorf("no %s service", name)
			continue
		}
		if !slices.Equal(svc.Command[:len(args)], args) {
			t.Errorf("%s runs %v, want %v", name, svc.Command, args)
		}
		i := slices.Index(svc.Command, "--config")
		if i < 0 || i+1 >= len(svc.Command) || len(svc.Configs) != 1 || svc.Configs[0].Target != svc.Command[i+1] {
			t.Errorf("%s: --config does not point at its mounted configuration: %v %v", name, svc.Command, svc.Configs)
		}
	}

	// The mounted configurations are checked in their containers, as
	// Compose renders them, by TestComposeRoleConfigs.
}
