package lifecycle

// ParseDecisionWith exposes parseDecision to the external tests, which
// also parse without a keying function.
var ParseDecisionWith = parseDecision
