package api

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/engagehq/engage"
)

// checkText refuses an operation's input when a string in it — a body
// field, a query or path parameter — is not storable text (not UTF-8, or
// holding NUL), naming each by its place in the request. Raw bodies
// ([]byte, streamed files) are checked by the reader of their format.
func checkText(in any) error {
	var v engage.Validation
	walkText(reflect.ValueOf(in), "", &v)
	return v.Err()
}

func walkText(rv reflect.Value, path string, v *engage.Validation) {
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !rv.IsNil() {
			walkText(rv.Elem(), path, v)
		}
	case reflect.String:
		v.Text(path, rv.String())
	case reflect.Struct:
		t := rv.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			walkText(rv.Field(i), fieldPath(path, f), v)
		}
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := range rv.Len() {
			walkText(rv.Index(i), fmt.Sprintf("%s[%d]", path, i), v)
		}
	case reflect.Map:
		iter := rv.MapRange()
		for iter.Next() {
			k := fmt.Sprint(iter.Key().Interface())
			v.Text(path, k)
			walkText(iter.Value(), path+"."+k, v)
		}
	}
}

// fieldPath names a field as the request does: query.x and path.x for
// parameters, the JSON name (dotted from the body) for the body's fields.
func fieldPath(parent string, f reflect.StructField) string {
	for _, in := range []string{"query", "path", "header"} {
		if name, ok := f.Tag.Lookup(in); ok {
			return in + "." + strings.Split(name, ",")[0]
		}
	}
	if f.Name == "Body" && parent == "" || f.Anonymous {
		return parent
	}
	name := f.Name
	if tag, ok := f.Tag.Lookup("json"); ok {
		if tag = strings.Split(tag, ",")[0]; tag == "-" {
			name = ""
		} else if tag != "" {
			name = tag
		}
	}
	if parent == "" {
		return name
	}
	return parent + "." + name
}
