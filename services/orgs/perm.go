package orgs

import (
	"slices"

	"onestop/services/accounts"
)

// Who may do what with organisations: every check of this package is one
// of these, and the portal's access rules read Verifiers too.

// Verifiers are the roles that see every organisation and verify or
// reject them: the bureau's administrators. A case officer role (核驗的
// 經辦人員) joins here when it exists, and nowhere else.
var Verifiers = []accounts.Role{accounts.Admin}

// canVerify reports whether a role verifies and rejects organisations.
func canVerify(r accounts.Role) bool { return slices.Contains(Verifiers, r) }

// isOrgUser reports whether the caller signs in for an organisation.
func isOrgUser(p accounts.Principal) bool { return !p.Guest() && p.Role == accounts.Organisation }

// manages reports whether the caller is the organisation's manager: who
// corrects its details and adds and removes its users.
func manages(p accounts.Principal, o *Org) bool {
	u, ok := o.UserOf(p.ID)
	return isOrgUser(p) && ok && u.Part == Manager
}

// canSee reports whether the caller may read the organisation: staff who
// verify, and its own users.
func canSee(p accounts.Principal, o *Org) bool {
	if canVerify(p.Role) {
		return true
	}
	_, ok := o.UserOf(p.ID)
	return isOrgUser(p) && ok
}

// editable reports whether the organisation's details may still change:
// before staff verified it (a verified one asks staff).
func editable(o *Org) bool { return o.Status == Pending || o.Status == Rejected }
