// Package extract reads list and detail pages of government policy sites
// (sources.md §2–§6) into plain values: pure functions over bytes, driven by
// rules that are plain data (ListRule, DetailRule) so presets and operators
// write them in the same YAML vocabulary.
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
// page fields; see DetailRule.Fields for the built-in map.
package extract
