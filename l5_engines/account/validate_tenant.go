package account

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/account"
)

const (
	maxNameLen       = 200
	maxSlugLen       = 63
	maxExternalOrgID = 200
)

// slugPattern matches the slugs the tenants table accepts: lowercase letters
// and digits in groups joined by single hyphens.
var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// newTenantRow checks every field of in, reporting all failures together,
// and returns the row to insert.
func newTenantRow(in NewTenant) (store.TenantRow, error) {
	var fields fault.Fields
	name := strings.TrimSpace(in.Name)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		fields.Add("name", "is required")
	case n > maxNameLen:
		fields.Add("name", "must be at most %d characters", maxNameLen)
	}
	slug := in.Slug
	if slug == "" && name != "" {
		slug = DeriveSlug(name)
		if slug == "" {
			fields.Add("slug", "cannot be derived from the name; give one explicitly")
		}
	} else if len(slug) > maxSlugLen || !slugPattern.MatchString(slug) {
		fields.Add("slug", "must be 1..%d lowercase letters, digits and single hyphens", maxSlugLen)
	}
	plan := PlanFree
	if in.Plan != "" {
		p, err := ParsePlan(in.Plan)
		if err != nil {
			fields.Add("plan", "must be one of free, pro, enterprise")
		}
		plan = p
	}
	if in.ExternalOrgID != nil {
		if n := utf8.RuneCountInString(*in.ExternalOrgID); n == 0 || n > maxExternalOrgID {
			fields.Add("external_org_id", "must be 1..%d characters when given", maxExternalOrgID)
		}
	}
	if err := fields.Err(); err != nil {
		return store.TenantRow{}, err
	}
	return store.TenantRow{
		Name:            name,
		Slug:            slug,
		ExternalOrgID:   in.ExternalOrgID,
		Plan:            string(plan),
		LifecycleState:  string(LifecycleActive),
		OnboardingState: int(OnboardingCreated),
		CostSource:      CostSourcePriceTable,
	}, nil
}

// DeriveSlug turns a tenant name into a slug: lowercase ASCII letters and
// digits, every other run of characters one hyphen, trimmed to the maximum
// length. It returns "" when the name has no letters or digits to use.
func DeriveSlug(name string) string {
	var b strings.Builder
	pendingHyphen := false
	for _, r := range strings.ToLower(name) {
		isWord := (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')
		if !isWord {
			pendingHyphen = b.Len() > 0
			continue
		}
		if pendingHyphen {
			if b.Len()+1 >= maxSlugLen {
				break
			}
			b.WriteByte('-')
			pendingHyphen = false
		}
		if b.Len() >= maxSlugLen {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}
