package people

import (
	"testing"

	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/people"
)

// TestPostedPeoplePager: a posted name search pages through the GET list; a
// number's results are never paged, so it reaches no link.
func TestPostedPeoplePager(t *testing.T) {
	t.Parallel()
	a := &Handlers{Kit: &web.Kit{}}
	p := core.Page{Number: 1, Size: 20}
	pg := a.postedPager("/staff/people", people.ListQuery{Text: "王", District: "dongcheng"}, p, 45)
	if pg.Next != "/staff/people?district=dongcheng&page=2&q=%E7%8E%8B" || pg.Prev != "" || pg.Pages != 3 {
		t.Errorf("name: %+v", pg)
	}
	pg = a.postedPager("/staff/people", people.ListQuery{Text: "13800138000"}, p, 45)
	if pg.Next != "" || pg.Prev != "" || pg.Pages != 1 {
		t.Errorf("number: %+v", pg)
	}
}
