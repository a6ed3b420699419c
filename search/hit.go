package search

import (
	"encoding/json"
	"time"
)

// String returns a text or single keyword field ("" when absent).
func (h Hit) String(field string) string {
	switch v := h.Fields[field].(type) {
	case string:
		return v
	case []any:
		if len(v) > 0 {
			s, _ := v[0].(string)
			return s
		}
	}
	return ""
}

// Strings returns a keyword field as a list: engines return a one-element
// list as a bare value, so this evens them out.
func (h Hit) Strings(field string) []string {
	switch v := h.Fields[field].(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return v
	}
	return nil
}

// Number returns a numeric field (0 when absent).
func (h Hit) Number(field string) float64 {
	switch v := h.Fields[field].(type) {
	case float64:
		return v
	case json.Number:
		f, _ := v.Float64()
		return f
	case int:
		return float64(v)
	case int64:
		return float64(v)
	}
	return 0
}

// Time returns a time field (zero when absent).
func (h Hit) Time(field string) time.Time {
	t, _ := asTime(h.Fields[field])
	return t
}
