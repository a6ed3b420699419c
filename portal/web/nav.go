package web

import "onestop/services/accounts"

// NavLink is one link of the site's menu; Label is a catalog key.
type NavLink struct {
	Href, Label string
}

// NavGroup is a titled part of the 「更多」 menu.
type NavGroup struct {
	Label string
	Links []NavLink
}

// Nav is the site's menu for one person: the few tasks of their role that
// stay in view, and the rest grouped under 「更多」. A page header with
// every link of every area (19 for an administrator) took two or three rows
// on a screen and most of a phone's before any content.
type Nav struct {
	Main []NavLink
	More []NavGroup
}

// Has reports whether path is one of the 「更多」 links (the menu then
// shows that the current page is inside it).
func (n Nav) Has(path string) bool {
	for _, g := range n.More {
		for _, l := range g.Links {
			if l.Href == path {
				return true
			}
		}
	}
	return false
}

var (
	navPolicies  = NavLink{"/policies", "nav.policies"}
	navCheck     = NavLink{"/check", "nav.check"}
	navProjects  = NavLink{"/projects", "nav.projects"}
	navBases     = NavLink{"/bases", "nav.bases"}
	navMentors   = NavLink{"/mentors", "nav.mentors"}
	navTraining  = NavLink{"/training", "nav.training"}
	navMyProject = NavLink{"/me/projects", "nav.my_projects"}
	navAccount   = NavLink{"/account", "nav.account"}
	navConsult   = NavLink{"/consultations", "nav.consultations"}
	navReviews   = NavLink{"/reviews", "nav.reviews"}
)

// browse is what the portal offers everyone to look up.
func browse(withCheck bool) NavGroup {
	links := []NavLink{navPolicies, navProjects, navBases, navMentors, navTraining}
	if withCheck {
		links = append(links, navCheck)
	}
	return NavGroup{Label: "nav.group.browse", Links: links}
}

// mine is the signed-in person's own pages besides their role's tasks.
func mine(links ...NavLink) NavGroup {
	return NavGroup{Label: "nav.group.mine", Links: append(links, navMyProject, navAccount)}
}

// hotlineWork is the hotline's and the bureau's daily work.
func hotlineWork(links ...NavLink) NavGroup {
	return NavGroup{Label: "nav.group.hotline", Links: append(links,
		NavLink{"/complaints", "nav.complaints"}, navConsult, NavLink{"/loans", "nav.loans_queue"})}
}

// MenuFor is the menu of who: a guest's is what the portal offers; a
// signed-in person's main links are their role's daily tasks.
func MenuFor(who accounts.Principal) Nav {
	if who.Guest() {
		return Nav{Main: []NavLink{navPolicies, navCheck, navProjects, navBases, navMentors, navTraining}}
	}
	switch who.Role {
	case accounts.Entrepreneur:
		return Nav{
			Main: []NavLink{{"/supports", "nav.supports"}, {"/profile", "nav.profile"}, {"/services", "nav.services"}, {"/applications", "nav.applications"}},
			More: []NavGroup{
				mine(NavLink{"/grants", "nav.grants"}, NavLink{"/loans", "nav.loans"}, navConsult, NavLink{"/me/training", "nav.my_training"},
					NavLink{"/me/venture", "nav.venture"}, NavLink{"/complaints", "nav.my_complaints"}),
				browse(false),
			},
		}
	case accounts.Mentor:
		return Nav{
			Main: []NavLink{navConsult, {"/cases", "nav.mentor_cases"}, navReviews},
			More: []NavGroup{mine(NavLink{"/mentor/profile", "nav.mentor_profile"}, NavLink{"/mentor/figures", "nav.own_figures"}), browse(true)},
		}
	case accounts.Hotline:
		return Nav{
			Main: []NavLink{{"/hotline/today", "nav.today"}, {"/hotline", "nav.hotline"}, {"/hotline/cases", "nav.cases"}, {"/staff/services", "nav.queue"}},
			More: []NavGroup{hotlineWork(NavLink{"/staff/people", "nav.people"}), mine(), browse(true)},
		}
	case accounts.CaseOfficer:
		// A case officer finds the person and checks their facts; the
		// hotline's queues are not theirs.
		return Nav{
			Main: []NavLink{{"/staff/people", "nav.people"}, {"/grants", "nav.grants_queue"}},
			More: []NavGroup{mine(), browse(true)},
		}
	case accounts.IncubatorManager:
		return Nav{
			Main: []NavLink{{"/manage", "nav.manage"}, {"/manage/figures", "nav.own_figures"}},
			More: []NavGroup{mine(), browse(true)},
		}
	case accounts.Provider:
		return Nav{Main: []NavLink{{"/provider", "nav.provider"}}, More: []NavGroup{mine(), browse(true)}}
	case accounts.BankOfficer:
		return Nav{Main: []NavLink{{"/loans", "nav.bank"}}, More: []NavGroup{mine(), browse(true)}}
	case accounts.Organisation:
		// An organisation's user works for it: its page, not a profile.
		return Nav{Main: []NavLink{{"/org", "nav.org"}, {"/grants", "nav.org_grants"}}, More: []NavGroup{mine(), browse(true)}}
	case accounts.Admin:
		return Nav{
			Main: []NavLink{{"/admin/policies", "nav.admin.policies"}, {"/admin/bases", "nav.admin.bases"}, {"/admin/users", "nav.admin.users"}, {"/admin/figures", "nav.admin.figures"}},
			More: []NavGroup{
				{Label: "nav.group.admin", Links: []NavLink{{"/grants", "nav.grants_queue"}, {"/admin/mentors", "nav.admin.mentors"}, {"/staff/orgs", "nav.staff_orgs"}, {"/admin/intakes", "nav.admin.intakes"},
					{"/admin/projects", "nav.admin.projects"}, navReviews, {"/admin/training", "nav.admin.training"}, {"/admin/banks", "nav.admin.banks"},
					{"/admin/reference", "nav.admin.reference"}, {"/admin/facts", "nav.admin.facts"}, {"/admin/workdays", "nav.admin.workdays"}, {"/admin/audit", "nav.admin.audit"}}},
				hotlineWork(NavLink{"/hotline/today", "nav.today"}, NavLink{"/hotline", "nav.hotline"}, NavLink{"/hotline/cases", "nav.cases"}, NavLink{"/staff/services", "nav.queue"}, NavLink{"/staff/people", "nav.people"}),
				mine(),
				browse(true),
			},
		}
	}
	return Nav{More: []NavGroup{mine(), browse(true)}}
}
