package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// JSONProblem says, as a field message (Msg), what is wrong with raw,
// which failed to decode with err: where its syntax breaks (line and
// column), that it stops short, which key is not known, which value has
// the wrong type. The decoder's own words are English and name Go types;
// these are for the person who typed the JSON.
func JSONProblem(raw []byte, err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF) || len(bytes.TrimSpace(raw)) == 0:
		return "error.json.empty"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "error.json.incomplete"
	case errors.As(err, &syntax):
		line, col := position(raw, syntax.Offset)
		return Msg("error.json.syntax", line, col)
	case errors.As(err, &typ) && typ.Field != "":
		return Msg("error.json.key_type", typ.Field)
	case errors.As(err, &typ):
		return "error.json.object"
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return Msg("error.json.key_unknown", strings.Trim(name, `"`))
	}
	return "error.json.malformed"
}

// position turns a byte offset into a line and a column of characters,
// both from 1.
func position(raw []byte, offset int64) (line, col int) {
	if offset > int64(len(raw)) {
		offset = int64(len(raw))
	}
	before := raw[:max(offset-1, 0)]
	line = bytes.Count(before, []byte("\n")) + 1
	col = len([]rune(string(before[bytes.LastIndexByte(before, '\n')+1:]))) + 1
	return line, col
}
