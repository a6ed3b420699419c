package portal_test

import (
	"onestop/portal/web"
	"reflect"
	"strings"
	"testing"

	"onestop/portal"
	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/core"
)

// jsonFields are the JSON names a request type accepts (embedded structs
// included).
func jsonFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return out
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" {
			for k := range jsonFields(f.Type) {
				out[k] = true
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = true
	}
	return out
}

// TestMassAssignment: fields a caller must never set — a role, an id, a
// status, an owner, a score, a timestamp, a version, an operator — added
// to the body of every API create and update are refused by name (the
// request types name what may be set), and nothing is stored.
func TestMassAssignment(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tokens := map[accounts.Role]string{}
	for _, r := range accounts.Roles {
		_, tokens[r], _ = tp.Account(r, string(r)+"@mass.test.cn")
	}
	protected := []string{"role", "_id", "id", "status", "owner_id", "person_id", "score", "created_at", "updated_at", "version", "$set", "verified"}
	before := tp.Snapshot()
	n := 0
	for _, r := range tp.App.Routes() {
		if r.Doc == nil || r.Doc.Request == nil || r.Method == "GET" || strings.HasPrefix(r.Path, "/api/v1/auth/") {
			continue
		}
		if _, ok := r.Doc.Request.(web.Upload); ok {
			continue
		}
		fields := jsonFields(reflect.TypeOf(r.Doc.Request))
		role := accounts.Admin
		if len(r.Access.Roles) > 0 {
			role = r.Access.Roles[0]
		}
		// A list kind is a word of a fixed list, and a calendar's year a
		// year, not a record id.
		fixed := strings.NewReplacer(":kind", "district", ":year", "2027").Replace(r.Path)
		path := portal.PathParam.ReplaceAllStringFunc(fixed, func(string) string { return core.NewID() })
		for _, f := range protected {
			if fields[f] {
				continue // this request may set it (a status transition, say)
			}
			body := `{"` + f + `":"x"}`
			if f == "$set" {
				body = `{"$set":{"role":"admin"}}`
			}
			resp, out := tp.Do(r.Method, path, body, tokens[role])
			n++
			if resp.StatusCode != 422 || !strings.Contains(string(out), "error.json.unknown") {
				t.Errorf("%s %s with %s as %s: %d %s", r.Method, r.Path, f, role, resp.StatusCode, out)
			}
		}
	}
	if tp.Snapshot() != before {
		t.Error("a refused request changed stored records")
	}
	t.Logf("%d requests with fields no caller may set", n)
}
