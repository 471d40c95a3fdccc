package config

import (
	"reflect"
	"strings"
)

// Diff is what changed from one configuration to the next, for a reload:
// the program decides which changes it can apply while running.
type Diff struct {
	// Keys are the changed settings other than sources, as yaml paths one
	// level below the top (nats.url, crawler.per_host_rps, site.columns,
	// http.tokens) or the top-level key itself (data_dir, rules), in the
	// order of Config's fields.
	Keys []string
	// Added and Changed are source ids in the new file's order, Removed in
	// the old file's. A source is changed when any of its keys is.
	Added, Removed, Changed []string
}

// Empty reports whether nothing changed.
func (d Diff) Empty() bool {
	return len(d.Keys) == 0 && len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0
}

// Compare lists what differs between old and next. Secrets are compared
// by value (a token file rewritten with a new token is a change; the same
// value given as ${ENV} instead of literally is not), and an empty list
// equals an absent one.
func Compare(old, next *Config) Diff {
	var d Diff
	ov, nv := reflect.ValueOf(old).Elem(), reflect.ValueOf(next).Elem()
	t := ov.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, ok := yamlName(f)
		if !ok || f.Name == "Sources" {
			continue
		}
		a, b := ov.Field(i), nv.Field(i)
		if a.Kind() != reflect.Struct || a.Type() == secretType {
			if !same(a, b) {
				d.Keys = append(d.Keys, name)
			}
			continue
		}
		// One level down is as precise as an operator needs to find the
		// line, and matches how the start-only settings are named.
		for j := range a.NumField() {
			sub, ok := yamlName(a.Type().Field(j))
			if ok && !same(a.Field(j), b.Field(j)) {
				d.Keys = append(d.Keys, name+"."+sub)
			}
		}
	}
	oldByID := make(map[string]Source, len(old.Sources))
	for _, s := range old.Sources {
		oldByID[s.ID] = s
	}
	nextIDs := make(map[string]bool, len(next.Sources))
	for _, s := range next.Sources {
		nextIDs[s.ID] = true
		o, found := oldByID[s.ID]
		switch {
		case !found:
			d.Added = append(d.Added, s.ID)
		case !SameSource(o, s):
			d.Changed = append(d.Changed, s.ID)
		}
	}
	for _, s := range old.Sources {
		if !nextIDs[s.ID] {
			d.Removed = append(d.Removed, s.ID)
		}
	}
	return d
}

// SameSource reports whether a and b are configured alike: every key of
// the file, defaults applied; Resolved follows from them and is not
// compared.
func SameSource(a, b Source) bool {
	return same(reflect.ValueOf(a), reflect.ValueOf(b))
}

var secretType = reflect.TypeFor[Secret]()

// yamlName is the key of a struct field in the file; false for fields
// that are not read from it (File, Resolved, unexported ones).
func yamlName(f reflect.StructField) (string, bool) {
	if !f.IsExported() {
		return "", false
	}
	tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if tag == "-" {
		return "", false
	}
	if tag == "" {
		tag = strings.ToLower(f.Name)
	}
	return tag, true
}

// same is reflect.DeepEqual for configuration values, except that secrets
// compare by value, nil and empty slices and maps are equal, and fields
// not read from the file are skipped.
func same(a, b reflect.Value) bool {
	if a.Type() == secretType {
		return a.Interface().(Secret).value == b.Interface().(Secret).value
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return same(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if _, ok := yamlName(a.Type().Field(i)); ok && !same(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !same(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() || !same(a.MapIndex(k), bv) {
				return false
			}
		}
		return true
	case reflect.Interface, reflect.Func, reflect.Chan:
		return reflect.DeepEqual(a.Interface(), b.Interface())
	}
	return a.Equal(b)
}
