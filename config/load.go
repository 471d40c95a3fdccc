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
	"time"

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

// Option adjusts how Load and Parse check a configuration.
type Option func(*options)

type options struct {
	rules RuleValidator // nil: list and detail rules are not checked
}

// WithRuleValidator has v check every source's list and detail rules, as
// the programs that crawl must (cmd/syndicator passes crawler/extract's).
// Without it those rules are taken as written: a bad selector shows only
// when the crawler reads a page.
func WithRuleValidator(v RuleValidator) Option {
	return func(o *options) { o.rules = v }
}

func collect(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// Load reads path strictly: unknown keys, wrong types and invalid values
// are all reported with file:line and the key. Relative paths in the file
// (data_dir, nats.store_dir, archive.dir, site.dir, file: secrets) are
// relative to the file's directory (paths.go). An empty path returns the
// built-in default configuration, whose paths are relative to the current
// directory.
func Load(path string, opts ...Option) (*Config, error) {
	if path == "" {
		c := Defaults()
		if err := c.resolve(nil, collect(opts)); err != nil {
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
	return Parse(path, data, opts...)
}

// Parse is Load over bytes; file names the source in messages, and its
// directory is where relative paths in it start. The file holds exactly
// one YAML document, a mapping of keys.
func Parse(file string, data []byte, opts ...Option) (*Config, error) {
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
	// Before checking values and decoding, which read the secret files.
	base := baseDir(file)
	anchorSecretFiles(doc, reflect.TypeOf(Config{}), base, map[*yaml.Node]bool{})
	lines := map[string]int{}
	var probs Problems
	checkKeys(doc, reflect.TypeOf(Config{}), "", file, lines, &probs)
	checkValues(doc, reflect.TypeOf(Config{}), "", file, lines, &probs)
	if len(probs) > 0 {
		return nil, probs.byLine()
	}
	c := &Config{File: file, lines: lines}
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
	if err := c.resolve(lines, collect(opts)); err != nil {
		var more Problems
		if !errors.As(err, &more) {
			return nil, err
		}
		probs = append(probs, more...)
	}
	if len(probs) > 0 {
		return nil, probs.byLine()
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

// byLine orders the problems as they stand in the file.
func (p Problems) byLine() Problems {
	sort.SliceStable(p, func(i, j int) bool { return p[i].Line < p[j].Line })
	return p
}

// deref follows n's aliases and t's pointers to the node and the type the
// walkers below compare; n is nil for a dangling alias.
func deref(n *yaml.Node, t reflect.Type) (*yaml.Node, reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n, t
}

// checkKeys walks n against type t, recording the line of every key path
// and a Problem for every key t does not have.
func checkKeys(n *yaml.Node, t reflect.Type, path, file string, lines map[string]int, probs *Problems) {
	if n, t = deref(n, t); n == nil {
		return
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

// checkValues decodes every value of n on its own against its type t, so
// that a wrong type (page_size: abc), a duration without a unit
// (interval: 5 minutes, interval: 300) and a secret that cannot be read
// (${UNSET}, a missing file:) are reported as a Problem naming the key
// and its line, like an unknown key, rather than one error for the whole
// file. Keys t does not have are left to checkKeys.
func checkValues(n *yaml.Node, t reflect.Type, path, file string, lines map[string]int, probs *Problems) {
	if n, t = deref(n, t); n == nil {
		return
	}
	line := n.Line
	if l, ok := lines[path]; ok {
		line = l
	}
	add := func(msg string) {
		*probs = append(*probs, Problem{file, line, orRoot(path), msg})
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // not given: the default applies
	}
	switch {
	case t == reflect.TypeOf(Secret{}):
		if n.Kind != yaml.ScalarNode {
			add(fmt.Sprintf("应为一个字符串（值本身、${环境变量} 或 file:路径），而不是%s", nodeKind(n)))
			return
		}
		if _, _, err := resolveSecret(n.Value); err != nil {
			add(err.Error())
		}
	case t.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // checkKeys reports it
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			if ft, ok := fields[n.Content[i].Value]; ok {
				checkValues(n.Content[i+1], ft, join(path, n.Content[i].Value), file, lines, probs)
			}
		}
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return // checkKeys reports it
		}
		for i, e := range n.Content {
			checkValues(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i), file, lines, probs)
		}
	default:
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			add(typeMsg(n, t))
		}
	}
}

// typeMsg says what a value of type t looks like, for a node that is not one.
func typeMsg(n *yaml.Node, t reflect.Type) string {
	if n.Kind != yaml.ScalarNode {
		return fmt.Sprintf("应为%s，而不是%s", typeName(t), nodeKind(n))
	}
	if t == reflect.TypeOf(time.Duration(0)) {
		if _, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return fmt.Sprintf("%s 没有单位：时长须写成数字加单位，如 %ss、%sm（单位 ms、s、m、h）", n.Value, n.Value, n.Value)
		}
		return fmt.Sprintf("%q 不是时长：须写成数字加单位，如 90s、15m、2h、1h30m（单位 ms、s、m、h；不支持 d、minutes 之类）", n.Value)
	}
	return fmt.Sprintf("%q 不是%s", n.Value, typeName(t))
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if t == reflect.TypeOf(time.Duration(0)) {
			return "时长（如 15m）"
		}
		return "整数"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "非负整数"
	case reflect.Float32, reflect.Float64:
		return "数字"
	case reflect.Bool:
		return "布尔值（true 或 false）"
	case reflect.String:
		return "一个字符串"
	case reflect.Map:
		return "键值映射"
	}
	return t.String()
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "键值映射"
	case yaml.SequenceNode:
		return "列表"
	}
	return fmt.Sprintf("%q", n.Value)
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
