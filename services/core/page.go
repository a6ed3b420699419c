package core

// Page is a request for one page of a list.
type Page struct {
	Number int // 1-based
	Size   int
}

// MaxPageSize bounds any list request.
const MaxPageSize = 100

// Normalize clamps the page to sane bounds.
func (p Page) Normalize() Page {
	if p.Size <= 0 {
		p.Size = 20
	}
	if p.Size > MaxPageSize {
		p.Size = MaxPageSize
	}
	if p.Number < 1 {
		p.Number = 1
	}
	// Deep pages are refused by bounding the offset: nobody reads page 500
	// of a list, and the engines pay for every skipped hit.
	if p.Number > 500 {
		p.Number = 500
	}
	return p
}

// Offset is the number of items before the page.
func (p Page) Offset() int { return (p.Number - 1) * p.Size }

// Pages returns the number of pages needed for total items.
func (p Page) Pages(total int) int {
	if total <= 0 {
		return 1
	}
	return (total + p.Size - 1) / p.Size
}
