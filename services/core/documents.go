package core

import (
	"bytes"
	"path"
	"strings"
	"unicode"
)

// DocumentTypes are the kinds of uploaded document file the portal keeps
// (scans and PDFs of certificates and the like), known by their first bytes,
// never by the name or the type the browser claims; with the extension a
// kept file's name ends in. (The loan file's attachments, which came
// first, keep the same list in services/loans.)
var DocumentTypes = map[string]struct {
	Magic     []byte
	Extension string
}{
	"application/pdf": {[]byte("%PDF-"), ".pdf"},
	"image/jpeg":      {[]byte{0xFF, 0xD8, 0xFF}, ".jpg"},
	"image/png":       {[]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, ".png"},
}

// SniffDocument names the type of data from its first bytes ("" when it
// is none of DocumentTypes).
func SniffDocument(data []byte) string {
	for typ, d := range DocumentTypes {
		if bytes.HasPrefix(data, d.Magic) {
			return typ
		}
	}
	return ""
}

// CleanFileName keeps the last element of an uploaded file's name, of
// letters, digits and a few marks only, so it can never be a path, a header
// break or markup; fallback stands for a name with nothing left. It always
// ends in the extension of the type found.
func CleanFileName(name, fallback, typ string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.TrimSuffix(name, path.Ext(name))
	var b strings.Builder
	for _, r := range name {
		if b.Len() >= 120 {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" -_()（）", r) {
			b.WriteRune(r)
		}
	}
	base := strings.TrimSpace(b.String())
	if base == "" || base == "." {
		base = fallback
	}
	return base + DocumentTypes[typ].Extension
}
