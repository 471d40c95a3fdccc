package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
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

// Bounds of a configuration file: it is a few kilobytes in practice, so
// a larger file, or one whose YAML aliases (*name) expand to more nodes,
// is refused before anything walks or decodes it (a 19 KB "billion
// laughs" file otherwise costs minutes and gigabytes).
const (
	maxFileBytes = 1 << 20
	maxNodes     = 100_000
)

// Load reads path strictly: unknown keys, wrong types and invalid values
// are all reported with file:line and the key. Relative paths in the file
// (data_dir, nats.store_dir, archive.dir, site.dir, file: secrets) are
// relative to the file's directory (paths.go). An empty path returns the
// built-in default configuration, whose paths are relative to the current
// directory.
func Load(path string) (*Config, error) {
	if path == "" {
		c := Defaults()
		if err := c.resolve(nil); err != nil {
			return nil, err
		}
		return c, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	// One byte more than allowed is enough for Parse to refuse the file.
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data)
}

// Parse is Load over bytes; file names the source in messages, and its
// directory is where relative paths in it start. The file holds exactly
// one YAML document, a mapping of keys.
func Parse(file string, data []byte) (*Config, error) {
	fileProblem := func(line int, msg string) (*Config, error) {
		return nil, Problems{{File: file, Line: line, Key: "(file)", Msg: msg}}
	}
	if len(data) > maxFileBytes {
		return fileProblem(0, fmt.Sprintf("文件超过 %d 字节（1 MiB）的上限：配置文件不应这么大", maxFileBytes))
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); errors.Is(err, io.EOF) || err == nil && len(root.Content) == 0 {
		return fileProblem(1, "文件为空（或只有注释）：请写入配置项；要用内置默认配置，不给 --config 即可")
	} else if err != nil {
		return fileProblem(yamlErrLine(err), "not valid YAML: "+err.Error())
	}
	var more yaml.Node
	if err := dec.Decode(&more); err == nil {
		return fileProblem(more.Line, "第二个 YAML 文档（以 --- 开始）：配置文件只能有一个文档，请合并或删去 ---")
	} else if !errors.Is(err, io.EOF) {
		return fileProblem(yamlErrLine(err), "not valid YAML: "+err.Error())
	}
	doc := root.Content[0]
	if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
		return fileProblem(doc.Line, "文件没有配置项（只有 ~、null 或 ---）：顶层应是键值映射，如 sources: [...]；要用内置默认配置，不给 --config 即可")
	}
	if count := (nodeCount{left: maxNodes}); !count.walk(doc, nil) {
		if a := count.over; a != nil {
			return fileProblem(a.Line, fmt.Sprintf("YAML 别名展开过多：展开到别名 *%s 时已超过 %d 个节点；配置文件不应层层引用别名", a.Value, maxNodes))
		}
		return fileProblem(doc.Line, fmt.Sprintf("YAML 节点过多：超过 %d 个节点，配置文件不应这么大", maxNodes))
	}
	lines := map[string]int{}
	var probs Problems
	checkKeys(doc, reflect.TypeOf(Config{}), "", file, lines, &probs)
	if len(probs) > 0 {
		return nil, probs
	}
	// Before decoding, which reads the secret files.
	base := baseDir(file)
	anchorSecretFiles(doc, reflect.TypeOf(Config{}), base, map[*yaml.Node]bool{})
	c := &Config{File: file}
	if err := doc.Decode(c); err != nil {
		return nil, Problems{{File: file, Line: yamlErrLine(err), Key: "(file)", Msg: err.Error()}}
	}
	if len(c.Sources) == 0 {
		c.Sources = Defaults().Sources
	}
	// Before fill, which puts a default in the place of every 0.
	probs = c.checkNumbers(lines)
	c.fill()
	c.anchorPaths(base)
	if err := c.resolve(lines); err != nil {
		var more Problems
		if !errors.As(err, &more) {
			return nil, err
		}
		probs = append(probs, more...)
	}
	if len(probs) > 0 {
		sort.SliceStable(probs, func(i, j int) bool { return probs[i].Line < probs[j].Line })
		return nil, probs
	}
	return c, nil
}

// nodeCount counts the nodes of a document with every alias expanded, as
// decoding expands them, until its budget is spent.
type nodeCount struct {
	left int
	// over is the outermost alias being expanded when the budget ran
	// out; nil when it ran out outside any alias, or did not.
	over *yaml.Node
}

// walk counts n and what it holds; outer is the alias n was reached
// through (nil outside aliases). It reports whether the budget lasted.
func (c *nodeCount) walk(n, outer *yaml.Node) bool {
	if c.left--; c.left < 0 {
		c.over = outer
		return false
	}
	if n.Kind == yaml.AliasNode {
		if outer == nil {
			outer = n
		}
		return c.walk(n.Alias, outer)
	}
	for _, child := range n.Content {
		if !c.walk(child, outer) {
			return false
		}
	}
	return true
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
				*probs = append(*probs, Problem{file, k.Line, orRoot(p), fmt.Sprintf("unknown key %q (known: %s)", k.Value, knownKeys(fields))})
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
