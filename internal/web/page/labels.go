package page

import "github.com/engagehq/engage/internal/frontdoor"

// NeedState is a need's stage in words.
func NeedState(state frontdoor.State) string {
	if l, ok := frontdoor.StateLabels[state]; ok {
		return l
	}
	return string(state)
}
