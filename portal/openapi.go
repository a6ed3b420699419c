package portal

import (
	"cmp"
	"encoding/json"
	"onestop/portal/web"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"onestop/services/core"
	"onestop/services/loans"
)

var pathParam = regexp.MustCompile(`:([a-zA-Z_]+)`)

// queryParam is a declared query parameter as OpenAPI has it.
func queryParam(q web.Param) fiber.Map {
	schema := fiber.Map{"type": cmp.Or(q.Type, "string")}
	if q.Enum != nil {
		schema["enum"] = q.Enum
	}
	if q.Pattern != "" {
		schema["pattern"] = q.Pattern
	}
	if q.Minimum != nil {
		schema["minimum"] = *q.Minimum
	}
	return fiber.Map{"name": q.Name, "in": "query", "description": q.Description, "schema": schema}
}

// clientErrors are the 4xx answers a route can give, from what it takes
// and who may call it: 422 for a body that does not validate, 401 and 403
// for a caller not signed in or not allowed, 404 for a record named in the
// path that is not there (or not the caller's), 409 for a create whose
// Idempotency-Key is in use, 429 for the throttled public routes (sign-in,
// registration, password reset).
func clientErrors(r web.Route, body bool) []string {
	var codes []string
	if body || r.Method == fiber.MethodPost || r.Method == fiber.MethodPut || r.Method == fiber.MethodPatch {
		codes = append(codes, "422")
	}
	if !r.Access.Public {
		codes = append(codes, "401", "403")
	}
	if strings.Contains(r.Path, ":") {
		codes = append(codes, "404")
	}
	if r.Doc.Status == fiber.StatusCreated {
		codes = append(codes, "409")
	}
	if r.Access.Public && r.Method != fiber.MethodGet {
		codes = append(codes, "429")
	}
	if len(codes) == 0 {
		codes = append(codes, "400") // a query parameter out of range
	}
	return codes
}

// operationID names an operation by its method and path, as generated
// clients name their functions: get_api_v1_projects_id for
// GET /api/v1/projects/{id}.
func operationID(method, path string) string {
	return strings.ToLower(method) + strings.NewReplacer("/", "_", "{", "", "}", "", "-", "_").Replace(path)
}

func (a *App) openAPIDocument() fiber.Map {
	paths := fiber.Map{}
	for _, r := range a.routes {
		if r.Doc == nil {
			continue
		}
		p := pathParam.ReplaceAllString(r.Path, "{$1}")
		op := fiber.Map{"summary": r.Doc.Summary, "tags": []string{r.Doc.Tag}, "operationId": operationID(r.Method, p)}
		var params []fiber.Map
		for _, m := range pathParam.FindAllStringSubmatch(r.Path, -1) {
			params = append(params, fiber.Map{"name": m[1], "in": "path", "required": true, "schema": fiber.Map{"type": "string"}})
		}
		if r.Doc.Status == 201 {
			params = append(params, fiber.Map{"name": "Idempotency-Key", "in": "header", "schema": fiber.Map{"type": "string", "maxLength": 200},
				"description": "a retry with the same key and body returns the first answer (Idempotent-Replayed: true) and creates nothing"})
		}
		switch {
		case r.Doc.Query != nil:
			for _, q := range r.Doc.Query {
				params = append(params, queryParam(q))
			}
		case r.Method == "GET" && r.Doc.Tag == "admin" && !strings.Contains(r.Path, ":"):
			// The administrators' lists share these.
			for _, q := range []string{"q", "page", "size", "role", "status", "action", "result"} {
				params = append(params, fiber.Map{"name": q, "in": "query", "schema": fiber.Map{"type": "string"}})
			}
		}
		if params != nil {
			op["parameters"] = params
		}
		switch r.Doc.Request.(type) {
		case nil:
		case web.Upload:
			op["requestBody"] = fiber.Map{"required": true, "content": fiber.Map{"multipart/form-data": fiber.Map{"schema": fiber.Map{"type": "object", "required": []string{"kind", "file"},
				"properties": fiber.Map{"kind": fiber.Map{"type": "string", "enum": loans.Documents}, "file": fiber.Map{"type": "string", "format": "binary", "description": "PDF, JPEG or PNG, at most 4 MiB"}}}}}}
		default:
			op["requestBody"] = fiber.Map{"required": true, "content": fiber.Map{"application/json": fiber.Map{"schema": schemaOf(reflect.TypeOf(r.Doc.Request))}}}
		}
		resp := fiber.Map{"description": "success"}
		if _, ok := r.Doc.Response.(web.FileBytes); ok {
			bin := fiber.Map{"schema": fiber.Map{"type": "string", "format": "binary"}}
			resp["content"] = fiber.Map{"application/pdf": bin, "image/jpeg": bin, "image/png": bin}
		} else if _, ok := r.Doc.Response.(web.ZIPArchive); ok {
			resp["content"] = fiber.Map{"application/zip": fiber.Map{"schema": fiber.Map{"type": "string", "format": "binary"}}}
		} else if r.Doc.Response != nil {
			resp["content"] = fiber.Map{"application/json": fiber.Map{"schema": schemaOf(reflect.TypeOf(r.Doc.Response))}}
		}
		responses := fiber.Map{strconv.Itoa(r.Doc.Status): resp, "default": fiber.Map{"$ref": "#/components/responses/problem"}}
		for _, code := range clientErrors(r, op["requestBody"] != nil) {
			responses[code] = fiber.Map{"$ref": "#/components/responses/problem"}
		}
		op["responses"] = responses
		if r.Access.Public {
			op["security"] = []fiber.Map{} // none: anyone may call it
		} else {
			op["security"] = []fiber.Map{{"bearer": []string{}}}
		}
		item, _ := paths[p].(fiber.Map)
		if item == nil {
			item = fiber.Map{}
			paths[p] = item
		}
		item[strings.ToLower(r.Method)] = op
	}
	problem := fiber.Map{"description": "an RFC 9457 problem: the error's code, a message in the caller's language, and the fields at fault",
		"content": fiber.Map{"application/problem+json": fiber.Map{"schema": schemaOf(reflect.TypeOf(web.ProblemDoc{}))}}}
	return fiber.Map{
		"openapi": "3.1.0",
		"info": fiber.Map{"title": "創業一站式服務平台 API", "version": "1",
			"license": fiber.Map{"name": "Proprietary: the employment bureau's", "url": a.cfg.PublicURL + "/"}},
		"servers": []fiber.Map{{"url": a.cfg.PublicURL, "description": "this portal"}},
		"paths":   paths,
		"components": fiber.Map{
			"securitySchemes": fiber.Map{"bearer": fiber.Map{"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
			"responses":       fiber.Map{"problem": problem},
		},
	}
}

var (
	timeType = reflect.TypeOf(time.Time{})
	dateType = reflect.TypeOf(core.Date{})
	rawType  = reflect.TypeOf(json.RawMessage{})
)

// schemaOf derives a JSON Schema from a Go type and its json tags.
func schemaOf(t reflect.Type) fiber.Map {
	if t.Kind() == reflect.Pointer {
		return schemaOf(t.Elem())
	}
	switch {
	case t == timeType:
		return fiber.Map{"type": "string", "format": "date-time"}
	case t == dateType:
		return fiber.Map{"type": "string", "format": "date"}
	case t == rawType || t.Kind() == reflect.Interface:
		return fiber.Map{}
	case t.Kind() == reflect.Map:
		return fiber.Map{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	case t.Kind() == reflect.String:
		return fiber.Map{"type": "string"}
	case t.Kind() == reflect.Bool:
		return fiber.Map{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return fiber.Map{"type": "integer"}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return fiber.Map{"type": "number"}
	case t.Kind() == reflect.Slice:
		return fiber.Map{"type": "array", "items": schemaOf(t.Elem())}
	case t.Kind() == reflect.Struct:
		props := fiber.Map{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Anonymous && name == "" {
				// Embedded structs' fields are promoted, as encoding/json does.
				inner := schemaOf(f.Type)
				if ip, ok := inner["properties"].(fiber.Map); ok {
					for k, v := range ip {
						props[k] = v
					}
				}
				continue
			}
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			props[name] = schemaOf(f.Type)
		}
		return fiber.Map{"type": "object", "properties": props, "additionalProperties": false}
	}
	return fiber.Map{}
}

func (a *App) openAPI(c *fiber.Ctx) error {
	return c.JSON(a.openAPIDocument())
}
