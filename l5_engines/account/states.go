package account

import "fmt"

// Plan is a tenant's commercial plan.
type Plan string

// The plans.
const (
	PlanFree       Plan = "free"
	PlanPro        Plan = "pro"
	PlanEnterprise Plan = "enterprise"
)

// ParsePlan parses a plan name strictly.
func ParsePlan(s string) (Plan, error) {
	switch p := Plan(s); p {
	case PlanFree, PlanPro, PlanEnterprise:
		return p, nil
	}
	return "", fmt.Errorf("unknown plan %q", s)
}

// Lifecycle is a tenant's lifecycle status.
type Lifecycle string

// The lifecycle states of SPEC §2.2.
const (
	LifecycleActive     Lifecycle = "ACTIVE"
	LifecycleSuspended  Lifecycle = "SUSPENDED"
	LifecycleTerminated Lifecycle = "TERMINATED"
	LifecycleArchived   Lifecycle = "ARCHIVED"
)

// ParseLifecycle parses a stored lifecycle value strictly: a value the code
// does not know is an error, never read as ACTIVE.
func ParseLifecycle(s string) (Lifecycle, error) {
	switch l := Lifecycle(s); l {
	case LifecycleActive, LifecycleSuspended, LifecycleTerminated, LifecycleArchived:
		return l, nil
	}
	return "", fmt.Errorf("unknown lifecycle state %q", s)
}

// Onboarding is a tenant's onboarding state; the order of the values is the
// order of the states, and the state only ever moves forward.
type Onboarding int

// The onboarding states of SPEC §2.2.
const (
	OnboardingCreated Onboarding = iota
	OnboardingIdentityVerified
	OnboardingAPIKeyCreated
	OnboardingSDKConnected
	OnboardingComplete
)

var onboardingNames = [...]string{"CREATED", "IDENTITY_VERIFIED", "API_KEY_CREATED", "SDK_CONNECTED", "COMPLETE"}

// String returns the state's upper-case name.
func (o Onboarding) String() string {
	if o >= 0 && int(o) < len(onboardingNames) {
		return onboardingNames[o]
	}
	return fmt.Sprintf("Onboarding(%d)", int(o))
}

// ParseOnboardingOrdinal parses a stored onboarding ordinal strictly.
func ParseOnboardingOrdinal(n int) (Onboarding, error) {
	if n < 0 || n >= len(onboardingNames) {
		return 0, fmt.Errorf("unknown onboarding state %d", n)
	}
	return Onboarding(n), nil
}
