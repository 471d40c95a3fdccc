package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

// The defaults make a run that can be carried out: go run ./cmd/chaos with
// no flags plans its kills, and so do the documented variants.
func TestFlagsMakeAPlan(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bins := []string{"--nats-server", self, "--minio", self}
	for _, args := range [][]string{
		nil,
		{"--items", "300", "--kills", "6", "--publish-every", "450ms", "--minio-outage", "15s", "--quorum-outage", "10s"},
		{"--items", "10000", "--kills", "30", "--publish-every", "100ms", "--minio-outage", "60s", "--quorum-outage", "30s"},
	} {
		o, err := parse(append(args, bins...), io.Discard)
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		kills, _, err := o.schedule(o.Items - 2*o.History)
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		if len(kills) != o.Kills {
			t.Errorf("%q: %d kills planned, want %d", args, len(kills), o.Kills)
		}
	}
}

func TestFlagsRefuseAnImpossibleRun(t *testing.T) {
	self, _ := os.Executable()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--items", "30", "--history", "20"}, "at least twice"},
		{[]string{"--down-min", "5s", "--down-max", "2s"}, "--down-max"},
		{[]string{"--nats-server", "/nonexistent/nats-server"}, "nats-server"},
		{[]string{"stray"}, "unexpected argument"},
	} {
		args := append([]string{"--nats-server", self, "--minio", self}, tc.args...)
		if _, err := parse(args, io.Discard); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error naming %q", tc.args, err, tc.want)
		}
	}
	o, err := parse([]string{"--nats-server", self, "--minio", self, "--kills", "40"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := o.schedule(o.Items - 2*o.History); err == nil || !strings.Contains(err.Error(), "--publish-every") {
		t.Errorf("40 kills in the short run: %v, want an error that says how to make room", err)
	}
}
