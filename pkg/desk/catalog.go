package desk

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/civicworks/open311/pkg/messages"
	"github.com/civicworks/open311/pkg/open311"
)

// Directory is who this deployment serves: every jurisdiction, ordered by id, and the one that
// serves calls naming none (Default is false when there is no such one).
type Directory struct {
	All        []open311.Jurisdiction
	Default    open311.Jurisdiction
	HasDefault bool
}

// Directory returns the jurisdictions served here.
func (d *Desk) Directory(ctx context.Context) (Directory, error) {
	all, err := d.allJurisdictions(ctx)
	if err != nil {
		return Directory{}, err
	}
	def, err := pick(all, "", d.opt.DefaultJurisdiction)
	return Directory{All: all, Default: def, HasDefault: err == nil}, nil
}

// JurisdictionsAt returns the jurisdictions whose boundary holds a point, or the default one
// when none does (none at all when there is no default).
func (d *Desk) JurisdictionsAt(ctx context.Context, pt open311.Point) (Directory, error) {
	dir, err := d.Directory(ctx)
	if err != nil {
		return Directory{}, err
	}
	at := serving(dir.All, pt)
	if len(at) == 0 && dir.HasDefault {
		at = []open311.Jurisdiction{dir.Default}
	}
	dir.All = at
	return dir, nil
}

// Jurisdiction returns the jurisdiction a call is about: the one named (NotFound when it is not
// served here), else the default (Invalid when the deployment serves several and has none).
func (d *Desk) Jurisdiction(ctx context.Context, id string) (open311.Jurisdiction, error) {
	all, err := d.allJurisdictions(ctx)
	if err != nil {
		return open311.Jurisdiction{}, err
	}
	return pick(all, id, d.opt.DefaultJurisdiction)
}

// jurisdictionAt is Jurisdiction, except that a report naming no jurisdiction, on a deployment
// of several with no default, goes to the jurisdiction whose boundary holds its point.
func (d *Desk) jurisdictionAt(ctx context.Context, id string, sub open311.Submission) (open311.Jurisdiction, error) {
	j, err := d.Jurisdiction(ctx, id)
	if err == nil || id != "" || !open311.IsKind(err, open311.Invalid) || sub.Lat == "" || sub.Long == "" {
		return j, err
	}
	pt, err := open311.ParsePoint(sub.Lat, sub.Long)
	if err != nil {
		return open311.Jurisdiction{}, err
	}
	all, err := d.allJurisdictions(ctx)
	if err != nil {
		return open311.Jurisdiction{}, err
	}
	if s := serving(all, pt); len(s) > 0 {
		return s[0], nil
	}
	return open311.Jurisdiction{}, open311.Errorf(open311.Invalid, "desk.jurisdictionAt", "no jurisdiction served here covers this location; give jurisdiction_id")
}

// pick finds jurisdiction id among all, or the default one.
func pick(all []open311.Jurisdiction, id, def string) (open311.Jurisdiction, error) {
	const op = "desk.Jurisdiction"
	if id == "" {
		id = def
	}
	if id == "" {
		if len(all) == 1 {
			return all[0], nil
		}
		if len(all) == 0 {
			return open311.Jurisdiction{}, open311.Errorf(open311.NotFound, op, "this server has no jurisdiction configured yet")
		}
		return open311.Jurisdiction{}, open311.Errorf(open311.Invalid, op, "jurisdiction_id is required: this server serves several jurisdictions")
	}
	for _, j := range all {
		if j.ID == id {
			return j, nil
		}
	}
	return open311.Jurisdiction{}, open311.Errorf(open311.NotFound, op, "jurisdiction %q is not served here", id)
}

// serving returns the jurisdictions whose boundary holds the point.
func serving(all []open311.Jurisdiction, pt open311.Point) []open311.Jurisdiction {
	var out []open311.Jurisdiction
	for _, j := range all {
		if j.Boundary.Contains(pt) {
			out = append(out, j)
		}
	}
	return out
}

// allJurisdictions returns the jurisdiction list, from memory while it is fresh: the catalog
// changes rarely, and this keeps a single-request read to one keyed read.
func (d *Desk) allJurisdictions(ctx context.Context) ([]open311.Jurisdiction, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.opt.Now()
	if d.jurisdictions != nil && d.opt.CatalogTTL > 0 && now.Sub(d.fetched) < d.opt.CatalogTTL {
		return d.jurisdictions, nil
	}
	all, err := d.opt.Store.Jurisdictions(ctx)
	if err != nil {
		return nil, open311.Wrap("desk.jurisdictions", err)
	}
	d.jurisdictions, d.fetched = all, now
	return all, nil
}

// Services returns a jurisdiction's service list, ordered by code.
func (d *Desk) Services(ctx context.Context, jurisdictionID string) ([]open311.Service, error) {
	j, err := d.Jurisdiction(ctx, jurisdictionID)
	if err != nil {
		return nil, err
	}
	return d.services(ctx, j)
}

// Language is the language of a catalog answer: the locale chosen, of the jurisdiction's
// locales (none, and no locale, for a catalog in one language).
type Language struct {
	Locale  string
	Locales []string
}

// ServicesIn returns a jurisdiction's services with their texts in the language of prefs
// (BCP 47 tags, most wanted first; see open311.Jurisdiction.ChooseLocale), and that language.
func (d *Desk) ServicesIn(ctx context.Context, jurisdictionID string, prefs []string) ([]open311.Service, Language, error) {
	j, err := d.Jurisdiction(ctx, jurisdictionID)
	if err != nil {
		return nil, Language{}, err
	}
	list, err := d.services(ctx, j)
	if err != nil {
		return nil, Language{}, err
	}
	lang := Language{Locale: j.ChooseLocale(prefs), Locales: j.Locales}
	if lang.Locale == j.DefaultLocale() {
		return list, lang, nil
	}
	out := make([]open311.Service, len(list))
	for i, s := range list {
		out[i] = s.In(lang.Locale)
	}
	return out, lang, nil
}

// ServiceIn returns one service of a jurisdiction, with its definition, in the language of prefs.
func (d *Desk) ServiceIn(ctx context.Context, jurisdictionID, code string, prefs []string) (open311.Service, Language, error) {
	j, err := d.Jurisdiction(ctx, jurisdictionID)
	if err != nil {
		return open311.Service{}, Language{}, err
	}
	s, err := d.service(ctx, j, code)
	if err != nil {
		return open311.Service{}, Language{}, err
	}
	lang := Language{Locale: j.ChooseLocale(prefs), Locales: j.Locales}
	return s.In(lang.Locale), lang, nil
}

// Localize gives a listing's texts in the language of prefs when its jurisdiction lists
// locales: each request's service_name (and service_notice) from the catalog's translation, and the summaries the
// system wrote of its activities from the message files (package messages). People's own words
// (descriptions, comments, notes) are as they were written; codes and ids never change. A
// jurisdiction without locales gets the listing as it is, and no language.
func (d *Desk) Localize(ctx context.Context, l Listing, prefs []string) (Listing, Language, error) {
	j := l.Jurisdiction
	if len(j.Locales) == 0 {
		return l, Language{}, nil
	}
	lang := Language{Locale: j.ChooseLocale(prefs), Locales: j.Locales}
	if lang.Locale == j.DefaultLocale() {
		return l, lang, nil
	}
	list, err := d.services(ctx, j)
	if err != nil {
		return Listing{}, Language{}, err
	}
	texts := make(map[string]open311.ServiceText, len(list))
	for _, s := range list {
		if t, ok := s.Translations[lang.Locale]; ok {
			texts[s.Code] = t
		}
	}
	for i := range l.Requests {
		r := &l.Requests[i]
		t := texts[r.ServiceCode]
		if t.Name != "" {
			r.ServiceName = t.Name
		}
		if t.Notice != "" && r.ServiceNotice != "" {
			r.ServiceNotice = t.Notice
		}
	}
	if l.Details != nil {
		for _, acts := range l.Details.Activities {
			for i := range acts {
				acts[i].Summary = messages.TranslateText(lang.Locale, acts[i].Summary)
			}
		}
	}
	return l, lang, nil
}

// LocalizeReceipt gives a new request's answer (its service_notice) in the language of prefs,
// as Localize does a listing's. The request is stored whatever this answers: a caller that
// gets an error answers in the default language.
func (d *Desk) LocalizeReceipt(ctx context.Context, r Receipt, prefs []string) (Receipt, Language, error) {
	j, err := d.Jurisdiction(ctx, r.Request.JurisdictionID)
	if err != nil {
		return r, Language{}, err
	}
	l, lang, err := d.Localize(ctx, Listing{Jurisdiction: j, Requests: []open311.Request{r.Request}}, prefs)
	if err != nil {
		return r, Language{}, err
	}
	r.Request = l.Requests[0]
	return r, lang, nil
}

// Service returns one service of a jurisdiction, with its definition.
func (d *Desk) Service(ctx context.Context, jurisdictionID, code string) (open311.Service, error) {
	j, err := d.Jurisdiction(ctx, jurisdictionID)
	if err != nil {
		return open311.Service{}, err
	}
	return d.service(ctx, j, code)
}

// service finds a service of a jurisdiction, with a readable NotFound.
func (d *Desk) service(ctx context.Context, j open311.Jurisdiction, code string) (open311.Service, error) {
	list, err := d.services(ctx, j)
	if err != nil {
		return open311.Service{}, err
	}
	if i, found := slices.BinarySearchFunc(list, code, func(s open311.Service, code string) int { return cmp.Compare(s.Code, code) }); found {
		return list[i], nil
	}
	return open311.Service{}, open311.Errorf(open311.NotFound, "desk.Service", "there is no service with the code %q", code)
}

// services returns a jurisdiction's services from memory while the jurisdiction's changeset is
// the one they were read at, else from the store: a catalog change comes with a new changeset
// (catalog.Load gives one), which a desk sees within CatalogTTL. Callers must not change them.
func (d *Desk) services(ctx context.Context, j open311.Jurisdiction) ([]open311.Service, error) {
	d.mu.Lock()
	c, ok := d.catalog[j.ID]
	d.mu.Unlock()
	if ok && c.changeset.Equal(j.Changeset) {
		return c.list, nil
	}
	list, err := d.opt.Store.Services(ctx, j.ID)
	if err != nil {
		return nil, open311.Wrap("desk.services", err)
	}
	slices.SortFunc(list, func(a, b open311.Service) int { return cmp.Compare(a.Code, b.Code) })
	d.mu.Lock()
	d.catalog[j.ID] = services{changeset: j.Changeset, list: list}
	d.mu.Unlock()
	return list, nil
}

// services is a jurisdiction's service list as read at a changeset.
type services struct {
	changeset time.Time
	list      []open311.Service
}
