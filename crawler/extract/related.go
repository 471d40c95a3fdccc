package extract

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gyeco/syndicator/config"
	"github.com/gyeco/syndicator/syndicator"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// defaultRelated is the generic fallback, used when a rule has no related
// selectors or they find nothing: sections headed 相关解读 hold the
// document's interpretations, sections headed 相关文件 or 相关政策 the
// document a 解读 interprets.
var defaultRelated = []config.RelatedRule{
	{Heading: "相关解读", Kind: syndicator.RelInterpretation},
	{Heading: "相关文件", Kind: syndicator.RelOriginal},
	{Heading: "相关政策", Kind: syndicator.RelOriginal},
}

// maxHeadingClimb bounds how many ancestors of a heading are tried when its
// own siblings hold no link (<div class="tit"><span>相关解读</span></div><ul>…).
const maxHeadingClimb = 3

// validateRelated reports what is wrong with one related rule.
func validateRelated(r config.RelatedRule) []error {
	var errs []error
	switch r.Kind {
	case syndicator.RelInterpretation, syndicator.RelOriginal, syndicator.RelRepeals, syndicator.RelRepealedBy:
	default:
		errs = append(errs, fmt.Errorf("kind: %q is not %s, %s, %s or %s", r.Kind,
			syndicator.RelInterpretation, syndicator.RelOriginal, syndicator.RelRepeals, syndicator.RelRepealedBy))
	}
	if r.Heading != "" && headingKey(r.Heading) == "" {
		errs = append(errs, fmt.Errorf("heading: %q is empty without punctuation and white space", r.Heading))
	}
	switch {
	case strings.TrimSpace(r.Selector) == "":
		if r.Heading == "" {
			errs = append(errs, errors.New("selector and heading are both empty"))
		}
	default:
		sel, err := parseSelector(r.Selector)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("selector: %w", err))
		case sel.label != "":
			errs = append(errs, errors.New("selector: label: selectors cannot select links"))
		case sel.css == nil:
			errs = append(errs, fmt.Errorf("selector: %q selects no elements", r.Selector))
		}
	}
	return errs
}

// relatedLinks returns the related documents of the page: the links the
// rule's related selectors find, else those of the generic fallback.
func relatedLinks(root *tree, base, pageURL *url.URL, rules []config.RelatedRule) []syndicator.Related {
	self := ""
	if pageURL != nil {
		self, _ = syndicator.CanonicalURL(pageURL.String(), nil)
	}
	headings := map[string]bool{}
	longest := 0
	for _, r := range append(append([]config.RelatedRule(nil), defaultRelated...), rules...) {
		if k := headingKey(r.Heading); k != "" {
			headings[k] = true
			longest = max(longest, len(k))
		}
	}
	c := relatedCollector{base: base, self: self, headings: headings, longest: longest, seen: map[string]bool{}}
	for _, r := range rules {
		c.collect(root, r)
	}
	if len(c.out) == 0 {
		// The fallback headings are looked for in one pass over the page,
		// not one pass each; the sections are then read in rule order.
		page := root.root.Get(0)
		found := headingsOf(page, defaultRelated)
		for i, r := range defaultRelated {
			c.fromHeadings(found[i], page, "href", r.Kind)
		}
	}
	return c.out
}

// headingsOf returns, for each rule, the text nodes below scope that read
// its heading, in document order.
func headingsOf(scope *html.Node, rules []config.RelatedRule) [][]*html.Node {
	keys := make([]string, len(rules))
	for i, r := range rules {
		keys[i] = headingKey(r.Heading)
	}
	out := make([][]*html.Node, len(rules))
	eachText(scope, func(t *html.Node) bool {
		// What headingIs skips at the start is skipped once for every
		// key, and a key is compared only when its first byte is the
		// next one: most text nodes are paragraphs, ruled out there.
		rest := t.Data
		for rest != "" {
			r, n := utf8.DecodeRuneInString(rest)
			if !ignoredInHeading(r) {
				break
			}
			rest = rest[n:]
		}
		if rest == "" {
			return true
		}
		for i, k := range keys {
			if k != "" && k[0] == rest[0] && headingIs(rest, k) {
				out[i] = append(out[i], t)
			}
		}
		return true
	})
	return out
}

// fromHeadings adds the links of the sections the heading text nodes hs
// begin.
func (c *relatedCollector) fromHeadings(hs []*html.Node, scope *html.Node, attr, kind string) {
	for _, h := range hs {
		for _, a := range c.section(h, scope, attr) {
			c.add(a, attr, kind)
		}
	}
}

type relatedCollector struct {
	base     *url.URL
	self     string          // canonical URL of the page
	headings map[string]bool // every known heading key: a section ends at the next one
	longest  int             // the longest of them, in bytes
	seen     map[string]bool // canonical URLs already taken
	out      []syndicator.Related
	// scopes holds the elements each rule selector found, by selector.
	scopes map[string][]*html.Node
}

func (c *relatedCollector) collect(root *tree, r config.RelatedRule) {
	scopes := []*html.Node{root.root.Get(0)}
	attr := "href"
	if strings.TrimSpace(r.Selector) != "" {
		sel, err := parseSelector(r.Selector)
		if err != nil || sel.css == nil || sel.label != "" {
			return // Validate reports it
		}
		// Rules sharing a selector (one box, several headings) search
		// the page once.
		if c.scopes == nil {
			c.scopes = map[string][]*html.Node{}
		}
		found, ok := c.scopes[r.Selector]
		if !ok {
			found = root.find(sel).Nodes
			c.scopes[r.Selector] = found
		}
		scopes = found
		if sel.attr != "" {
			attr = sel.attr
		}
	}
	want := headingKey(r.Heading)
	for _, scope := range scopes {
		if scope == nil {
			continue
		}
		var links []*html.Node
		if want == "" {
			links = linksIn(scope, attr)
		} else {
			for _, h := range headingsIn(scope, want) {
				links = append(links, c.section(h, scope, attr)...)
			}
		}
		for _, a := range links {
			c.add(a, attr, r.Kind)
		}
	}
}

// target returns the canonical URL of the link a when it leads to another
// detail page.
func (c *relatedCollector) target(a *html.Node, attr string) (string, bool) {
	href, ok := attrOf(a, attr)
	if !ok {
		return "", false
	}
	canon, err := syndicator.CanonicalURL(href, c.base)
	if err != nil || canon == c.self || !isDetailURL(canon) {
		return "", false
	}
	return canon, true
}

// add keeps the link a when it leads to another detail page not yet taken.
func (c *relatedCollector) add(a *html.Node, attr, kind string) {
	canon, ok := c.target(a, attr)
	if !ok || c.seen[canon] {
		return
	}
	c.seen[canon] = true
	title := collapseHTMLSpace(nodeText(a))
	if title == "" {
		v, _ := attrOf(a, "title")
		title = collapseHTMLSpace(v)
	}
	rel := syndicator.Related{Kind: kind, ID: syndicator.ItemID(canon), URL: canon, Title: title}
	if n := syndicator.DocNoFromTitle(title); syndicator.DocKey(n) != "" {
		rel.DocNumber = n
	}
	c.out = append(c.out, rel)
}

// section returns the links to detail pages that follow the heading text
// node h, up to the next heading. When h's siblings hold none (a "更多"
// link to the column does not count), its parent's siblings are tried, and
// so on up to maxHeadingClimb levels, never leaving scope.
func (c *relatedCollector) section(h, scope *html.Node, attr string) []*html.Node {
	n := h
	for range maxHeadingClimb + 1 {
		var links []*html.Node
		for s := n.NextSibling; s != nil; s = s.NextSibling {
			if c.startsSection(s) {
				break
			}
			for _, a := range linksIn(s, attr) {
				if _, ok := c.target(a, attr); ok {
					links = append(links, a)
				}
			}
		}
		if len(links) > 0 {
			return links
		}
		p := n.Parent
		if p == nil || p == scope || p.DataAtom == atom.Body || p.DataAtom == atom.Html {
			return nil
		}
		n = p
	}
	return nil
}

// startsSection reports a sibling that begins another section: a heading
// element, or an element or text holding a known heading.
func (c *relatedCollector) startsSection(n *html.Node) bool {
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	found := false
	eachText(n, func(t *html.Node) bool {
		found = c.knownHeading(t.Data)
		return !found
	})
	return found
}

// knownHeading reports whether s reads one of the known heading keys. The
// key is built only while it stays as short as the longest known one: a
// paragraph is ruled out after a few characters, without allocating.
func (c *relatedCollector) knownHeading(s string) bool {
	var buf [64]byte
	key := buf[:0]
	for _, r := range s {
		if ignoredInHeading(r) {
			continue
		}
		if len(key)+utf8.RuneLen(r) > c.longest {
			return false
		}
		key = utf8.AppendRune(key, r)
	}
	return len(key) > 0 && c.headings[string(key)]
}

// headingsIn returns the text nodes below scope that read exactly key.
func headingsIn(scope *html.Node, key string) []*html.Node {
	var out []*html.Node
	eachText(scope, func(t *html.Node) bool {
		if headingIs(t.Data, key) {
			out = append(out, t)
		}
		return true
	})
	return out
}

// headingIs reports whether headingKey(s) == key without building the
// key: a text node that is no heading differs at its first letter.
func headingIs(s, key string) bool {
	for _, r := range s {
		if ignoredInHeading(r) {
			continue
		}
		k, size := utf8.DecodeRuneInString(key)
		if size == 0 || k != r {
			return false
		}
		key = key[size:]
	}
	return key == ""
}

// eachText calls f on the text nodes below n (n included) that a reader
// sees outside links, in document order, until f returns false.
func eachText(n *html.Node, f func(*html.Node) bool) bool {
	switch n.Type {
	case html.TextNode:
		return f(n)
	case html.ElementNode:
		if skipped(n) || n.DataAtom == atom.A || n.DataAtom == atom.Title || n.DataAtom == atom.Option || n.DataAtom == atom.Textarea {
			return true
		}
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if !eachText(ch, f) {
			return false
		}
	}
	return true
}

// linksIn returns n itself when it is a link, else the links below it: an
// a element carrying attr (href by default), or, for another attribute, any
// element carrying it.
func linksIn(n *html.Node, attr string) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type != html.ElementNode && n.Type != html.DocumentNode {
			return
		}
		if n.Type == html.ElementNode {
			if skipped(n) {
				return
			}
			if _, ok := attrOf(n, attr); ok && (n.DataAtom == atom.A || attr != "href") {
				out = append(out, n)
				return
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return out
}

func attrOf(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, name) {
			return a.Val, true
		}
	}
	return "", false
}

// headingKey is a heading without white space, punctuation and symbols:
// "【相关解读】：" gives "相关解读".
func headingKey(s string) string {
	return strings.Map(func(r rune) rune {
		if ignoredInHeading(r) {
			return -1
		}
		return r
	}, s)
}

// ignoredInHeading is what headingKey leaves out.
func ignoredInHeading(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || r == '\u200b' || r == '\ufeff'
}

// reIndexPage matches the file names of column and index pages.
var reIndexPage = regexp.MustCompile(`(?i)^(?:index|default|home|list|more)(?:_\d+)?\.s?html?$`)

// isDetailURL reports a canonical URL that leads to a detail page: its path
// ends in .htm, .html or .shtml and names no index page.
func isDetailURL(canon string) bool {
	u, err := url.Parse(canon)
	if err != nil {
		return false
	}
	name := path.Base(u.Path)
	ext := strings.ToLower(path.Ext(name))
	if ext != ".htm" && ext != ".html" && ext != ".shtml" {
		return false
	}
	return !reIndexPage.MatchString(name)
}
