package pulse

// Percent is percent, for tests.
var Percent = percent
