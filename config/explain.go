package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Setting is one effective configuration value as the console shows it:
// its key path (sources[0].id), the value (secrets redacted) and where it
// came from (the file and line, an environment variable, a secret file,
// or the default).
type Setting struct {
	Key, Value, Origin string
}

// maxSettingValue bounds one shown value: a rule's long pattern list is
// cut, the file has all of it.
const maxSettingValue = 300

// Settings lists every leaf value of c. Values the file sets name their
// line in c.File as it was when read (not as it may be now); the rest are
// defaults (or a preset's, for sources).
func (c *Config) Settings() []Setting {
	lines := c.lines
	var out []Setting
	walkSettings(reflect.ValueOf(c).Elem(), "", func(key string, v reflect.Value) {
		s := Setting{Key: key, Value: showValue(v), Origin: "默认值"}
		if line, ok := lines[key]; ok {
			s.Origin = fmt.Sprintf("%s:%d", c.File, line)
		} else if line, ok := nearest(lines, key); ok {
			s.Origin = fmt.Sprintf("默认值或预设（所在项写于 %s:%d）", c.File, line)
		}
		if sec, ok := v.Interface().(Secret); ok && sec.IsSet() {
			switch o := sec.Origin(); {
			case strings.HasPrefix(o, "env "):
				s.Origin += "；取自环境变量 " + strings.TrimPrefix(o, "env ")
			case strings.HasPrefix(o, "file "):
				s.Origin += "；取自密钥文件 " + strings.TrimPrefix(o, "file ")
			}
		}
		out = append(out, s)
	})
	return out
}

// nearest finds the line of key's closest ancestor the file sets.
func nearest(lines map[string]int, key string) (int, bool) {
	for {
		i := strings.LastIndexAny(key, ".[")
		if i <= 0 {
			return 0, false
		}
		key = key[:i]
		if l, ok := lines[key]; ok {
			return l, true
		}
	}
}

// walkSettings calls fn for every leaf under v, by yaml key path.
func walkSettings(v reflect.Value, prefix string, fn func(string, reflect.Value)) {
	t := v.Type()
	switch {
	case t == reflect.TypeFor[Secret]() || t == reflect.TypeFor[time.Duration]() || t == reflect.TypeFor[time.Time]():
		fn(prefix, v)
	case t.Kind() == reflect.Pointer:
		if !v.IsNil() {
			walkSettings(v.Elem(), prefix, fn)
		}
	case t.Kind() == reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			name, ok := yamlName(f)
			if !ok {
				continue
			}
			k := name
			if prefix != "" {
				k = prefix + "." + name
			}
			walkSettings(v.Field(i), k, fn)
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		for i := range v.Len() {
			walkSettings(v.Index(i), prefix+"["+strconv.Itoa(i)+"]", fn)
		}
	case t.Kind() == reflect.Map && t.Elem().Kind() == reflect.Struct:
		iter := v.MapRange()
		for iter.Next() {
			walkSettings(iter.Value(), prefix+"."+fmt.Sprint(iter.Key().Interface()), fn)
		}
	default:
		fn(prefix, v)
	}
}

// showValue prints a leaf; secrets as *** (or empty), never their value.
func showValue(v reflect.Value) string {
	var s string
	switch x := v.Interface().(type) {
	case Secret:
		if x.IsSet() {
			return "***"
		}
		return "（未设置）"
	case time.Duration:
		s = x.String()
	default:
		s = fmt.Sprint(x)
	}
	if r := []rune(s); len(r) > maxSettingValue {
		s = string(r[:maxSettingValue]) + "……"
	}
	return s
}
