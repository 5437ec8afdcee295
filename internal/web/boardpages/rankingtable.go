package boardpages

import (
	"bytes"
	"html/template"
	"sync"

	"github.com/engagehq/engage/internal/lru"
)

// The ranking's table is most of its page's work: each need with its four
// parts and what each was computed from. It is written once for each state
// of the ranking (portfolio.Ranking.State) and page, and kept.

// keptTableBytes bounds the tables kept; a page of 50 needs is about
// 100 kB.
const keptTableBytes = 8 << 20

type tableKey struct {
	state string
	from  int
}

type tables struct {
	once sync.Once
	kept *lru.Cache[tableKey, template.HTML]
}

func (t *tables) cache() *lru.Cache[tableKey, template.HTML] {
	t.once.Do(func() { t.kept = lru.New[tableKey, template.HTML](keptTableBytes) })
	return t.kept
}

// table returns the table of the needs v shows, written once per state.
func (s *Pages) table(v *rankingView) (template.HTML, error) {
	key := tableKey{v.Ranking.State, v.From}
	if key.state != "" {
		if t, ok := s.tables.cache().Get(key); ok {
			return t, nil
		}
	}
	var b bytes.Buffer
	if err := rankingTable.Execute(&b, v.Shown); err != nil {
		return "", err
	}
	t := template.HTML(b.String())
	if key.state != "" {
		s.tables.cache().Put(key, t, len(t)+len(key.state)+64)
	}
	return t, nil
}

var rankingTable = template.Must(template.New("ranking-table").Funcs(template.FuncMap{
	"amount":    optionalMoney,
	"partlabel": func(name string) string { return partLabels[name] },
}).Parse(`<div class="table-wrap"><table id="ranking">
  <thead><tr><th scope="col" class="num">Rank</th><th scope="col">Need</th><th scope="col" class="num">Score</th><th scope="col">Parts, with what each was computed from</th><th scope="col" class="num">Three-year cost</th><th scope="col" class="num">First-year cost</th></tr></thead>
  <tbody>
  {{range .}}<tr id="{{.Reference}}">
    <td class="num">{{.Rank}}</td>
    <td><a href="/needs/{{.Reference}}">{{.Reference}}</a> {{.Title}}<br><span class="muted">{{.DepartmentName}}{{with .NeededBy}}, needed by {{.}}{{end}}</span></td>
    <td class="num"><strong>{{.Score.StringFixed 2}}</strong></td>
    <td><ul class="plain">{{range .Parts}}<li><details><summary>{{partlabel .Name}} {{.Score}} × {{.Weight}}</summary><ul>{{range .Inputs}}<li>{{.}}</li>{{end}}</ul></details></li>{{end}}</ul></td>
    <td class="num">{{amount .ThreeYear .Currency}}</td>
    <td class="num">{{amount .FirstYear .Currency}}</td>
  </tr>
  {{else}}<tr><td colspan="6">No need is waiting for the board's decision.</td></tr>{{end}}
  </tbody>
</table></div>
`))
