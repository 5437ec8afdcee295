// Package search is Engage's in-memory full-text index for services,
// offerings, needs, announcements and communities. It does no I/O: callers
// load documents from the database at start with Put and keep the index
// current with Put and Delete as things change. Keeping the index in process
// memory makes search behave the same on SQLite and PostgreSQL.
//
// # Documents
//
// A Doc has an ID (unique across kinds), a Kind ("service", "offering",
// "need", …), named text fields with a boost each (name 3, tags 2,
// description 1, say) and opaque tags such as "family:compute" or
// "lifecycle:live" that queries filter on and count as facets. Put inserts or
// replaces a document by ID; Delete removes it. Only the analysed terms are
// kept, not the text: callers show text from their own records.
//
// # Text analysis
//
// Text is split into words of Unicode letters, digits and combining marks;
// everything else (spaces, punctuation, symbols) separates words, so "e-mail"
// gives "e" and "mail". A word pair joined by a single hyphen also yields the
// joined word ("e-mail" adds "email"). Words are lower-cased; accents are
// kept. Product codes such as "m365", "s3" or "win11" stay whole: a word that
// contains a digit is never stemmed nor typo-corrected. English stop words
// ("the", "for", "me", "a", …) are dropped. Every other word is reduced to
// its Snowball (Porter2) English stem, so singular and plural and most verb
// and noun forms meet: "servers" and "server" both become "server", and
// "collaborating", "collaboration", "collaborate" and "collaborative" all
// become "collabor". Snowball does not relate irregular or derived forms with
// a different stem ("storage" is "storag" but "store" is "store"; "lab" and
// "laboratory" differ). Queries are analysed the same way.
//
// # Ranking
//
// Each query term is scored with BM25F (k1 = 1.2, b = 0.75): a term's
// frequency in each field is normalised by that field's length against the
// field's average length, multiplied by the field's boost, summed over the
// document's fields and only then saturated, so a term repeated in several
// fields does not count twice; the sum is multiplied by the term's inverse
// document frequency. A document's relevance is the sum over query terms.
// Hits are ordered first by how many distinct query terms they match and then
// by relevance, so a document matching both words of a two-word query always
// comes before one that matches a single word. Hit.Score encodes this order:
// its integer part is the number of query terms matched and its fraction is
// relevance/(relevance+1). Equal scores are ordered by ID, so results are
// deterministic. A query with no searchable words (empty text or only stop
// words) lists every document that passes the filters, ordered by ID, with
// Score 0.
//
// # Typo tolerance and prefixes
//
// A query word of 4 to 7 letters that is not in the vocabulary also matches
// indexed words within edit distance 1, and one of 8 or more letters within
// distance 2 (insertions, deletions, substitutions and transpositions of
// adjacent letters each count 1). Such matches weigh 0.5 (distance 1) and
// 0.25 (distance 2) of an exact match. A word that is in the vocabulary but
// rare (in at most 3 documents) is also corrected, towards words at least ten
// times as frequent. Candidates come from a trigram index over the indexed
// surface words (not stems, which a typo can throw off): only words that
// share enough trigrams with the query word are compared, so a query never
// scans the vocabulary. The last query word, when the text does not end in a
// space or punctuation (the user is still typing), also matches indexed words
// it is a prefix of ("collab" finds "collaboration"), from 3 letters on, with
// a weight between 0.4 and 0.8 that grows with how much of the word is typed.
// A document takes, for each query word, its best-weighted match only.
//
// # Concurrency and cost
//
// An Index is safe for concurrent use: searches share a read lock; Put and
// Delete take the write lock briefly (a document is analysed before the lock
// is taken). At most GOMAXPROCS searches run at once and later callers queue
// in arrival order: searches are pure computation, and letting fifty of them
// share two CPUs only lets the runtime's time slicing stall a few for
// hundreds of milliseconds. Postings are kept per term, sorted by an
// internal document number, with the field, term frequency and field length
// packed in eight bytes; each document's kind and first tags sit in one dense
// array that filters and facet counts read. A search costs time in
// proportion to the postings of its terms plus one filter and facet check
// per matching document; its working arrays (about 20 bytes a document) are
// pooled. In an index of 4,096 documents or more, a filter is checked
// against a bit set of the documents that pass it, built at its first use
// after each change of the index (64 filters are kept).
//
// A query with SkipTotal asks for the page only, and its search skips the
// documents that cannot reach it: as hits are ordered by the number of
// words they match first, once k documents match L words, a document that
// can no longer match L is not scored further. Words are scored rarest
// first; the search first assumes that the page's documents match every
// word (then only the rarest word's documents are candidates, and the
// common words are looked up for those alone), then all words but one,
// and otherwise scores all the documents, skipping those the counts rule
// out. The hits are those of the full search; Result.Total is -1. Replacing or deleting a document leaves a hole in the number
// space, and the index renumbers itself when holes outnumber documents.
// Terms, words and trigrams are dropped once no document uses them; kind and
// tag names are kept.
package search
