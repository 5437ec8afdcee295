package page

// Bar is one bar of a horizontal bar chart drawn as SVG on the server.
type Bar struct {
	Label, Value         string
	LabelY, BarY, ValueY float64
	Width                float64
	Cheapest             bool
}

// BarChart is a horizontal bar chart drawn as SVG on the server (the
// comparison of offerings, the needs by stage).
type BarChart struct {
	Title  string
	Height int
	Bars   []Bar
	// Describe is what the drawing shows, for those who cannot see it;
	// Caption is written under it. The "barchart" partial draws it.
	Describe, Caption string
}
