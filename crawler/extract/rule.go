package extract

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/gyeco/syndicator/config"
)

// Page fields a label can map to.
const (
	fieldTitle       = "title"
	fieldDocNumber   = "doc_number"
	fieldIndexNumber = "index_number"
	fieldIssuer      = "issuer"
	fieldSubject     = "subject"
	fieldDocType     = "doc_type"
	fieldOrigin      = "origin"
	fieldWrittenAt   = "written_at"
	fieldPublishedAt = "published_at"
	fieldValidity    = "validity"
)

func knownField(name string) bool {
	switch name {
	case fieldTitle, fieldDocNumber, fieldIndexNumber, fieldIssuer, fieldSubject,
		fieldDocType, fieldOrigin, fieldWrittenAt, fieldPublishedAt, fieldValidity:
		return true
	}
	return false
}

// Validator is the rule check config.Load runs when a program passes it
// in, config.WithRuleValidator(extract.Validator{}): config is data and
// imports no crawler, while what a selector means is this package's.
type Validator struct{}

var _ config.RuleValidator = Validator{}

// ValidateList calls the function ValidateList.
func (Validator) ValidateList(r config.ListRule) error { return ValidateList(r) }

// ValidateDetail calls the function ValidateDetail.
func (Validator) ValidateDetail(r config.DetailRule) error { return ValidateDetail(r) }

// ValidateList reports every problem of the rule: an unknown kind, a
// missing item selector, a selector or link pattern that does not compile.
func ValidateList(r config.ListRule) error {
	var errs []error
	switch r.Kind {
	case config.KindJSON, config.KindFeed:
	case config.KindHTML:
		if strings.TrimSpace(r.Item) == "" {
			errs = append(errs, errors.New("item: empty selector"))
		}
		for _, f := range [...]struct{ key, sel string }{
			{"item", r.Item}, {"link", r.Link}, {"title", r.Title}, {"date", r.Date},
		} {
			if f.sel == "" {
				continue
			}
			sel, err := parseSelector(f.sel)
			switch {
			case err != nil:
				errs = append(errs, fmt.Errorf("%s: %w", f.key, err))
			case sel.label != "":
				errs = append(errs, fmt.Errorf("%s: label: selectors are for detail pages only", f.key))
			case f.key == "item" && sel.css == nil:
				errs = append(errs, fmt.Errorf("item: %q selects no elements", f.sel))
			}
		}
	default:
		errs = append(errs, fmt.Errorf("kind: %q is not %q, %q or %q", r.Kind, config.KindJSON, config.KindHTML, config.KindFeed))
	}
	if r.Pages < 0 {
		errs = append(errs, fmt.Errorf("pages: %d is negative", r.Pages))
	}
	if r.PageParam != "" && url.QueryEscape(r.PageParam) != r.PageParam {
		errs = append(errs, fmt.Errorf("page_param: %q is not a query parameter name (give the name only, e.g. page or pageNo)", r.PageParam))
	}
	if _, err := regexp.Compile(r.LinkPattern); err != nil {
		errs = append(errs, fmt.Errorf("link_pattern: %w", err))
	}
	return wrapRuleErrors("list rule", errs)
}

// ValidateDetail reports every selector that does not compile and every
// field name that is not a page field.
func ValidateDetail(r config.DetailRule) error {
	var errs []error
	check := func(key string, sels []string) {
		for i, s := range sels {
			if _, err := parseSelector(s); err != nil {
				errs = append(errs, fmt.Errorf("%s[%d]: %w", key, i, err))
			}
		}
	}
	check("title", r.Title)
	check("body", r.Body)
	check("remove", r.Remove)
	check("meta_tables", r.MetaTables)
	check("meta_lists", r.MetaLists)
	check("published", r.Published)
	check("modified", r.Modified)
	if r.Attachments != "" {
		check("attachments", []string{r.Attachments})
	}
	for i, rel := range r.Related {
		for _, err := range validateRelated(rel) {
			errs = append(errs, fmt.Errorf("related[%d]: %w", i, err))
		}
	}
	labels := make([]string, 0, len(r.Fields))
	for label := range r.Fields {
		labels = append(labels, label)
	}
	sort.Strings(labels)
	for _, label := range labels {
		field := r.Fields[label]
		if NormLabel(label) == "" {
			errs = append(errs, fmt.Errorf("fields: label %q is empty after normalisation", label))
		}
		if field != "" && !knownField(field) {
			errs = append(errs, fmt.Errorf("fields: %q maps to unknown field %q", label, field))
		}
	}
	return wrapRuleErrors("detail rule", errs)
}

func wrapRuleErrors(what string, errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("extract: %s: %w", what, errors.Join(errs...))
}
