package config

import (
	"path/filepath"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// Paths in a configuration file are relative to the file's directory, not
// to the directory the command happens to run in: `syndicator audit verify
// --config /srv/synd/syndicator.yaml` reads the same store from anywhere.
// This holds for data_dir, nats.store_dir, the fs archive.dir and site.dir
// (defaults included: an absent data_dir is "data" beside the file) and
// for secrets given as file:path. The built-in configuration (no
// --config) has no file, so its paths stay relative to the current
// directory.

// baseDir is the directory relative paths of the configuration file
// named file are read from: the file's own, made absolute so that the
// paths stay right whatever the process does with its working directory.
// "" for the built-in configuration.
func baseDir(file string) string {
	if file == "" {
		return ""
	}
	dir := filepath.Dir(file)
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// anchor puts a relative path under base; an absolute or empty path, or
// an empty base, leaves it as it is.
func anchor(base, path string) string {
	if base == "" || path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(base, path)
}

// anchorPaths makes every path-valued key relative to base. It runs after
// fill, so the defaults derived from data_dir are anchored too.
func (c *Config) anchorPaths(base string) {
	c.DataDir = anchor(base, c.DataDir)
	c.NATS.StoreDir = anchor(base, c.NATS.StoreDir)
	c.Archive.Dir = anchor(base, c.Archive.Dir)
	c.Site.Dir = anchor(base, c.Site.Dir)
}

// secretFilePrefix marks a secret read from a file.
const secretFilePrefix = "file:"

// anchorSecretFiles rewrites, in the document n of type t, every secret
// given as file:path with a relative path to name the file under base.
// It runs before decoding, which reads the secret files. Nodes reached
// again through an alias are rewritten once.
func anchorSecretFiles(n *yaml.Node, t reflect.Type, base string, seen map[*yaml.Node]bool) {
	if base == "" {
		return
	}
	if n, t = deref(n, t); n == nil || seen[n] {
		return
	}
	seen[n] = true
	switch t.Kind() {
	case reflect.Struct:
		if t == reflect.TypeOf(Secret{}) {
			if n.Kind == yaml.ScalarNode && strings.HasPrefix(n.Value, secretFilePrefix) {
				n.Value = secretFilePrefix + anchor(base, strings.TrimPrefix(n.Value, secretFilePrefix))
			}
			return
		}
		if n.Kind != yaml.MappingNode {
			return
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			if ft, ok := fields[n.Content[i].Value]; ok {
				anchorSecretFiles(n.Content[i+1], ft, base, seen)
			}
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for _, e := range n.Content {
			anchorSecretFiles(e, t.Elem(), base, seen)
		}
	}
}
