package discuss

// QueuedReplies says how many replies wait for their group (tests).
func (s *Service) QueuedReplies() int { return s.queuedReplies() }
