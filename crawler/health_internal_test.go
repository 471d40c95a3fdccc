package crawler

import (
	"reflect"
	"testing"
	"time"
)

// TestSameRecordSeesEveryField: a change to any field of SourceState but
// the poll times is recorded, so a field added to SourceState must be
// compared by sameRecord too.
func TestSameRecordSeesEveryField(t *testing.T) {
	base := SourceState{Source: "s", State: HealthOK, LastPoll: time.Unix(1e9, 0).UTC()}
	typ := reflect.TypeFor[SourceState]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		changed := base
		v := reflect.ValueOf(&changed).Elem().Field(i)
		switch v.Kind() {
		case reflect.String:
			v.SetString(v.String() + "x")
		case reflect.Int:
			v.SetInt(v.Int() + 1)
		case reflect.Bool:
			v.SetBool(!v.Bool())
		case reflect.Slice:
			v.Set(reflect.MakeSlice(f.Type, 1, 1))
		case reflect.Map:
			m := reflect.MakeMap(f.Type)
			m.SetMapIndex(reflect.New(f.Type.Key()).Elem(), reflect.New(f.Type.Elem()).Elem())
			v.Set(m)
		case reflect.Pointer:
			v.Set(reflect.New(f.Type.Elem()))
		case reflect.Struct:
			if f.Type != reflect.TypeFor[time.Time]() {
				t.Fatalf("field %s: no test value for a %s", f.Name, f.Type)
			}
			v.Set(reflect.ValueOf(base.LastPoll.Add(time.Minute)))
		default:
			t.Fatalf("field %s: no test value for a %s", f.Name, f.Type)
		}
		pollTime := f.Name == "LastPoll" || f.Name == "LastOK"
		if got := sameRecord(&changed, &base); got != pollTime {
			t.Errorf("sameRecord with %s changed = %v, want %v", f.Name, got, pollTime)
		}
	}
}
