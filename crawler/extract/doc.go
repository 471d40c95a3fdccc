// Package extract reads list and detail pages of government policy sites
// (sources.md §2–§6) into plain values: pure functions over bytes, driven by
// rules that are plain data (config.ListRule, config.DetailRule) so presets
// and operators write them in the same YAML vocabulary. The rules are
// configuration and live in config; what their selectors mean is this
// package's, so it also checks them for config (Validator).
//
// # List kinds
//
// A config.ListRule reads one of three kinds of list page: "json" (an array
// of rows at a dotted path, fields by dotted path: gov.cn's static lists and
// search APIs), "html" (rows, links, titles and dates by selector: TRS
// columns) and "feed" (RSS 2.0, RSS 1.0 or Atom 1.0, nothing to configure).
// When a page yields no entries, ListDiagnose says in Chinese which step
// lost the rows: the item selector, the link selector or field, or the
// link pattern.
//
// # Selector micro-syntax
//
// Every selector in a rule is a CSS selector (cascadia, as in goquery) with
// two optional additions:
//
//	SELECTOR            the trimmed text of the first match
//	SELECTOR@ATTR       the value of attribute ATTR of the first match,
//	                    e.g. "a@title", "meta[name=PubDate]@content"
//	@ATTR               (list rows) attribute ATTR of the row element itself
//	CONTAINER label:L   the value labelled L inside the elements matched by
//	                    CONTAINER, read like a metadata table or list: a
//	                    td/th cell whose text is L followed by the next cell,
//	                    or a "L：VALUE" text (any colon form). L is compared
//	                    after label normalisation (NormLabel), so "label:标题"
//	                    finds "标　　题：". E.g. "table.bd1 label:标题".
//	label:L             the same, over the rule's MetaTables and MetaLists.
//
// "@ATTR" is recognised only at the very end and only when ATTR is a plain
// attribute name, so attribute selectors such as a[href*="@"] still work.
//
// # Labels
//
// Metadata labels are normalised (NormLabel: whitespace incl. U+00A0 and
// U+3000, every colon form and zero-width characters deleted) and mapped to
// page fields; see config.DetailRule.Fields for the built-in map.
package extract
