// Package web is the kernel every area's handlers share: the route type
// and its access rules, rendering in three languages, forms and paging,
// the one mapping of errors to HTTP, sessions, CSRF and the static files.
// Each area (portal/loans, portal/hotline, …) embeds a *Kit in its
// handlers and adds the services it uses; portal assembles the areas.
package web

import (
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/gofiber/fiber/v2"

	"onestop/portal/i18n"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/notify"
	"onestop/services/policy"
	"onestop/services/reference"
	"onestop/services/workdays"
)

// Config is what the kernel needs from the app that runs it.
type Config struct {
	I18n      *i18n.Bundle
	Assets    *Assets
	Clock     core.Clock
	Log       *slog.Logger
	Secure    bool   // served over TLS: __Host- cookies, Secure flags
	PublicURL string // the site's address, for the same-origin check
	CSRFKey   []byte
	Accounts  *accounts.Service  // who is calling
	Notify    *notify.Service    // the unread count on every page
	Audit     *audit.Log         // refused requests
	Lists     *reference.Lists   // districts, industries: every area's options and labels
	Calendar  *workdays.Calendar // the working days time limits count in
}

// Kit is the kernel: what every handler of every area may use.
type Kit struct {
	I18n  *i18n.Bundle
	Clock core.Clock
	Log   *slog.Logger
	// Lists are the bureau's reference data (services/reference): the
	// districts and industries every area offers, validates and labels.
	Lists *reference.Lists
	// Calendar is the bureau's working-day calendar (services/workdays):
	// pages warn staff while a year it reaches is not set.
	Calendar *workdays.Calendar

	csrfRefused atomic.Int64 // requests refused for their CSRF token (CSRFRefusals)

	assets    *Assets
	secure    bool
	publicURL string
	csrfKey   []byte
	accounts  *accounts.Service
	notify    *notify.Service
	audit     *audit.Log
}

// New builds the kernel; every dependency is required.
func New(c Config) (*Kit, error) {
	if err := core.CheckDeps("web", c); err != nil {
		return nil, err
	}
	return &Kit{I18n: c.I18n, Clock: c.Clock, Log: c.Log, Lists: c.Lists, Calendar: c.Calendar, assets: c.Assets, secure: c.Secure,
		publicURL: c.PublicURL, csrfKey: c.CSRFKey, accounts: c.Accounts, notify: c.Notify, audit: c.Audit}, nil
}

// VentureIndustries are the choices of a venture's industry: the guidance
// catalogue's, then the other trades the tax rules name.
func (k *Kit) VentureIndustries() []string {
	var out []string
	for _, kind := range policy.VentureIndustries {
		out = append(out, k.Lists.Codes(kind)...)
	}
	return out
}

// OptionGroup is a labelled part of a select's choices (an <optgroup>);
// Label is a catalog key.
type OptionGroup struct {
	Label   string
	Options []string
}

// VentureIndustryGroups are the same choices apart: the industries the
// guidance catalogue encourages, and the other trades the tax-relief rule
// names — some only to leave them out (saunas, internet cafés), which read
// as encouraged when the two lists ran together.
func (k *Kit) VentureIndustryGroups() []OptionGroup {
	return []OptionGroup{
		{Label: "industry.group.catalogue", Options: k.Lists.Codes(reference.Industry)},
		{Label: "industry.group.sector", Options: k.Lists.Codes(reference.Sector)},
	}
}

// Assets are the static files the pages link to.
func (k *Kit) Assets() *Assets { return k.assets }

// Locals keys.
const (
	localIP        = "ip"
	localLang      = "lang"
	localPrincipal = "principal"
	localCSRF      = "csrf"
)

// SetClient records the request's client address and language; the app's
// first middleware calls it.
func SetClient(c *fiber.Ctx, ip, lang string) {
	c.Locals(localIP, ip)
	c.Locals(localLang, lang)
}

// IsAPI reports whether the request is for the JSON API.
func IsAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }

// Principal is who is calling; the zero Principal is a guest.
func Principal(c *fiber.Ctx) accounts.Principal {
	p, _ := c.Locals(localPrincipal).(accounts.Principal)
	return p
}

// Meta is what the services record about the request.
func Meta(c *fiber.Ctx) accounts.Meta { return accounts.Meta{IP: ClientIP(c)} }

// ClientIP is the client's address (see the app's resolveIP).
func ClientIP(c *fiber.Ctx) string { s, _ := c.Locals(localIP).(string); return s }

// Lang is the request's language.
func Lang(c *fiber.Ctx) string { s, _ := c.Locals(localLang).(string); return s }

// PickLanguage: the lang cookie, then Accept-Language, then zh-Hant.
func PickLanguage(c *fiber.Ctx) string {
	if l := i18n.Supported(c.Cookies("lang")); l != "" {
		return l
	}
	return i18n.Match(c.Get(fiber.HeaderAcceptLanguage))
}
