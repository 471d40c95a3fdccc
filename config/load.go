package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Problem is one configuration error, located in the file.
type Problem struct {
	File string
	Line int
	Key  string // path such as sources[1].base_url
	Msg  string
}

func (p Problem) Error() string {
	loc := p.File
	if loc == "" {
		loc = "<built-in>"
	}
	if p.Line > 0 {
		loc += ":" + strconv.Itoa(p.Line)
	}
	return fmt.Sprintf("%s: %s: %s", loc, p.Key, p.Msg)
}

// Problems is every error found in one file; Load reports them all at once.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Load reads path strictly: unknown keys, wrong types and invalid values
// are all reported with file:line and the key. An empty path returns the
// built-in default configuration.
func Load(path string) (*Config, error) {
	if path == "" {
		c := Defaults()
		if err := c.resolve(nil); err != nil {
			return nil, err
		}
		return c, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data)
}

// Parse is Load over bytes; file names the source in messages.
func Parse(file string, data []byte) (*Config, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		return nil, Problems{{File: file, Line: yamlErrLine(err), Key: "(file)", Msg: "not valid YAML: " + err.Error()}}
	}
	lines := map[string]int{}
	var probs Problems
	if len(root.Content) > 0 {
		checkKeys(root.Content[0], reflect.TypeOf(Config{}), "", file, lines, &probs)
	}
	if len(probs) > 0 {
		return nil, probs
	}
	c := &Config{File: file}
	if len(root.Content) > 0 {
		if err := root.Content[0].Decode(c); err != nil {
			return nil, Problems{{File: file, Line: yamlErrLine(err), Key: "(file)", Msg: err.Error()}}
		}
	}
	if len(c.Sources) == 0 {
		c.Sources = Defaults().Sources
	}
	c.fill()
	if err := c.resolve(lines); err != nil {
		return nil, err
	}
	return c, nil
}

// checkKeys walks n against type t, recording the line of every key path
// and a Problem for every key t does not have.
func checkKeys(n *yaml.Node, t reflect.Type, path, file string, lines map[string]int, probs *Problems) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch t.Kind() {
	case reflect.Struct:
		if t == reflect.TypeOf(Secret{}) {
			return
		}
		if n.Kind != yaml.MappingNode {
			if n.Kind != yaml.ScalarNode || n.Tag != "!!null" {
				*probs = append(*probs, Problem{file, n.Line, orRoot(path), "expected a mapping of keys"})
			}
			return
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := join(path, k.Value)
			lines[p] = k.Line
			ft, ok := fields[k.Value]
			if !ok {
				*probs = append(*probs, Problem{file, k.Line, p, fmt.Sprintf("unknown key %q (known: %s)", k.Value, knownKeys(fields))})
				continue
			}
			checkKeys(v, ft, p, file, lines, probs)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
				return
			}
			*probs = append(*probs, Problem{file, n.Line, orRoot(path), "expected a list"})
			return
		}
		for i, e := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			lines[p] = e.Line
			checkKeys(e, t.Elem(), p, file, lines, probs)
		}
	}
}

func yamlFields(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "-" || !f.IsExported() {
			continue
		}
		if tag == "" {
			tag = strings.ToLower(f.Name)
		}
		m[tag] = f.Type
	}
	return m
}

func knownKeys(fields map[string]reflect.Type) string {
	ks := make([]string, 0, len(fields))
	for k := range fields {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orRoot(path string) string {
	if path == "" {
		return "(top level)"
	}
	return path
}

// yamlErrLine pulls "line N" out of a yaml.v3 error, 0 if absent.
func yamlErrLine(err error) int {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if i := strings.Index(msg, "line "); i >= 0 {
		rest := msg[i+5:]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		n, _ := strconv.Atoi(rest[:j])
		return n
	}
	return 0
}
