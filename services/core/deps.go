package core

import (
	"fmt"
	"reflect"
	"strings"
)

// CheckDeps is how every service's constructor checks the dependencies it
// was given (its Deps struct): a pointer, interface, function, map, slice
// or channel field left nil is an error naming it, so a forgotten
// dependency stops start-up instead of silently dropping work (as a setter
// nobody called once dropped figures). Fields tagged `deps:"optional"`
// may be nil; so may a core.Clock, whose zero value is the real clock.
func CheckDeps(service string, deps any) error {
	v := reflect.ValueOf(deps)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return fmt.Errorf("%s: deps must be a struct, not %s", service, v.Kind())
	}
	var missing []string
	clock := reflect.TypeFor[Clock]()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() || f.Tag.Get("deps") == "optional" || f.Type == clock {
			continue
		}
		switch fv := v.Field(i); fv.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Func, reflect.Map, reflect.Slice, reflect.Chan:
			if fv.IsNil() {
				missing = append(missing, f.Name)
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s: missing %s", service, strings.Join(missing, ", "))
	}
	return nil
}
