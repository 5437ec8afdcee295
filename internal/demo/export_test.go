package demo

// LoadIdeas is the ideas' demo step, for tests that give it communities.
var LoadIdeas = loadIdeas
