package discuss

// QueuedReplies says how many replies wait for their group (tests).
func (s *Service) QueuedReplies() int { return s.queuedReplies() }

// KeepingNothing makes s read every page of replies from the database, as
// it does for a topic with too many replies to keep.
func KeepingNothing(s *Service) *Service {
	s.keepNothing = true
	return s
}
