package api

// The examples of the communities' operations: communities, their rules,
// staff and requests; topics, replies, moderation and flags; ideas and
// votes; pulses; engagement; the inbox. On the demo: iPhone is community
// 1, Chrome OS 2 (closed, with two requests waiting), Outlook 3, Messaging
// and collaboration 4, Client computing 5, the Mexico City site 6 and
// Science 8; the community made here is 9, the topic 36 and its reply 55.
func init() {
	const (
		requester = "requester@example.com"
		moderator = "moderator@example.com"
		owner     = "owner@example.com"
		brm       = "brm@example.com"
	)
	id := func(v string) map[string]string { return map[string]string{"id": v} }
	addExamples(map[string]example{
		// Communities
		"create-community": {As: moderator, Body: `{"slug": "boston-building-4-move", "name": "Boston: move to Building 4", "kind": "local", "location_id": 3, ` +
			`"description": "Everything IT for the Boston labs' move to Building 4: network, printers, phones and the move weekend."}`},
		"get-community":           {As: requester, Params: id("8")},
		"update-community":        {Params: id("5"), Body: `{"version": 1, "sponsor_id": 9}`},
		"archive-community":       {As: moderator, Params: id("9"), Body: `{"version": 1, "archived": true}`},
		"join-community":          {As: requester, Params: id("1")},
		"leave-community":         {As: brm, Params: id("5")},
		"list-community-members":  {As: moderator, Params: id("2")},
		"get-community-staff":     {As: requester, Params: id("8")},
		"change-community-staff":  {Params: id("3"), Body: `{"person_id": 12, "role": "moderator"}`},
		"list-community-rules":    {As: moderator, Params: id("4")},
		"add-community-rule":      {As: moderator, Params: id("1"), Body: `{"kind": "service", "ref_id": 19}`},
		"remove-community-rule":   {As: moderator, Params: map[string]string{"id": "1", "rule": "6"}},
		"list-community-requests": {As: moderator, Params: id("2")},
		"decide-community-request": {As: moderator, Params: map[string]string{"id": "2", "person": "753"},
			Body: `{"grant": true}`},

		// Discussions
		"list-topics": {As: requester, Params: id("8")},
		"create-topic": {As: requester, Body: `{"community_id": 8, "kind": "question", "title": "Sending plate-reader exports to our CRO", ` +
			`"body": "We send the weekly plate-reader exports (about 2 GB) to our CRO partner. Is **File sync and share** allowed for this, or is there a better way?"}`},
		"get-topic": {As: requester, Params: id("31")},
		"edit-topic": {As: requester, Params: id("36"), Body: `{"version": 1, "title": "Sending weekly plate-reader exports to our CRO", ` +
			`"body": "We send the weekly plate-reader exports (about 2 GB, no patient data) to our CRO partner. Is **File sync and share** allowed for this, or is there a better way?"}`},
		"list-replies": {As: requester, Params: id("31")},
		"create-reply": {Params: id("36"), Body: `{"official": true, "body": "Yes: share a folder from **File sync and share** with the CRO's ` +
			`address as an external guest. Its links expire after 30 days."}`},
		"edit-reply": {Params: id("55"), Body: `{"version": 1, "body": "Yes: share a folder from **File sync and share** with the CRO's ` +
			`address as an external guest. Its links expire after 30 days; renew them from the folder's *Share* menu."}`},
		"mark-official-answer": {As: owner, Params: id("37")},
		"accept-solution":      {As: moderator, Params: id("4"), Body: `{"reply_id": 8}`},
		"follow-topic":         {As: requester, Params: id("31"), Body: `{"follow": true}`},
		"flag-post": {As: requester, Params: id("32"),
			Body: `{"reply_id": 50, "reason": "Shares real sample IDs through a personal Dropbox; please take the link down."}`},
		"moderate-topic":     {As: moderator, Params: id("31"), Body: `{"action": "pin"}`},
		"moderate-reply":     {As: moderator, Params: id("44"), Body: `{"action": "hide"}`},
		"list-revisions":     {As: moderator, Params: id("31")},
		"resolve-topic-flag": {As: moderator, Params: id("1"), Body: `{"outcome": "hidden"}`},

		// Ideas
		"list-ideas":      {As: requester, Params: id("8")},
		"get-idea":        {As: requester, Params: id("33")},
		"vote-idea":       {As: requester, Params: id("33")},
		"unvote-idea":     {As: requester, Params: id("33")},
		"set-idea-status": {As: owner, Params: id("18"), Body: `{"status": "under_review"}`},
		"convert-idea": {As: brm, Params: id("33"), Body: `{"outcome": "Research groups run a few GPU hours a month for image analysis ` +
			`without buying a server.", "users": 60, "data_class": "internal"}`},

		// Pulses: 4 is February's CSAT pulse about the HPC cluster (closed),
		// 5 March's (open; the requester has not answered it yet).
		"create-pulse": {As: moderator, Body: `{"survey": "csat", "question": "How satisfied are you with IT support at the Mexico City site this month?", ` +
			`"community_id": 6, "closes_at": "2026-03-31T17:00:00Z"}`},
		"get-pulse":     {As: requester, Params: id("5")},
		"pulse-link":    {As: requester, Params: id("5")},
		"answer-pulse":  {As: requester, Params: id("5"), Body: `{"score": 4, "comment": "Jobs start faster since the new GPU nodes; the queue is still long before deadlines."}`},
		"pulse-results": {As: owner, Params: id("4")},
		"pulse-trend":   {As: owner, Params: map[string]string{"service_id": "4", "survey": "csat", "months": "6"}},

		// Engagement
		"get-community-engagement":  {As: moderator, Params: map[string]string{"slug": "iphone"}},
		"get-department-engagement": {As: brm, Params: id("11")},

		// Inbox
		"mark-inbox-item-read": {As: requester, Params: id("8")},

		// Webhook deliveries: the first delivery of the webhook that
		// create-webhook makes, of a need event published after it
		"get-notification-delivery":   {Params: id("1")},
		"retry-notification-delivery": {Params: id("1")},
	})
}
