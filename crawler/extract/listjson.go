package extract

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gyeco/syndicator/config"
)

// jsonRows reads the rows of a JSON list: an array at rule.ItemsPath whose
// rows hold the link, title and date at dotted paths.
func jsonRows(text string, pageURL *url.URL, rule config.ListRule, st *listStats) ([]ListEntry, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, &pageError{msg: "expected JSON", zh: "页面不是有效的 JSON（" + err.Error() + "）", err: err}
	}
	v, ok := lookupPath(doc, rule.ItemsPath)
	arr, isArray := v.([]any)
	if !ok || !isArray {
		if rule.ItemsPath == "" {
			return nil, &pageError{
				msg: "expected a JSON array at top level, found " + jsonKind(v, ok),
				zh:  "JSON 顶层不是数组（是" + jsonKindZH(v, ok) + "）",
			}
		}
		return nil, &pageError{
			msg: fmt.Sprintf("expected a JSON array at items_path %q, found %s", rule.ItemsPath, jsonKind(v, ok)),
			zh:  fmt.Sprintf("JSON 中没有路径 %q 的数组（%s）", rule.ItemsPath, jsonWhereZH(v, ok)),
		}
	}
	urlField := cmp.Or(rule.URLField, defaultURLField)
	titleField := cmp.Or(rule.TitleField, defaultTitleField)
	dateField := cmp.Or(rule.DateField, defaultDateField)
	var out []ListEntry
	for _, row := range arr {
		u, _ := lookupPath(row, urlField)
		abs, ok := st.resolve(pageURL, scalar(u))
		if !ok {
			continue
		}
		t, _ := lookupPath(row, titleField)
		d, _ := lookupPath(row, dateField)
		out = append(out, newEntry(abs, plainTitle(scalar(t)), scalar(d)))
	}
	return out, nil
}

// lookupPath follows a dotted path ("searchVO.listVO", "data.list.0") into
// a decoded JSON value; "" is the value itself.
func lookupPath(v any, p string) (any, bool) {
	if p == "" {
		return v, true
	}
	for _, key := range strings.Split(p, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[key]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func jsonKind(v any, ok bool) string {
	if !ok {
		return "nothing"
	}
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func jsonKindZH(v any, ok bool) string {
	if !ok {
		return "空"
	}
	switch v.(type) {
	case map[string]any:
		return "对象"
	case []any:
		return "数组"
	case string:
		return "字符串"
	case json.Number:
		return "数字"
	case bool:
		return "布尔值"
	}
	return "null"
}

func jsonWhereZH(v any, ok bool) string {
	if !ok {
		return "该路径不存在"
	}
	return "该处是" + jsonKindZH(v, ok)
}

// scalar renders a JSON string or number as text; anything else is "".
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}
