package benchkit

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
)

// SpendDepartments are the cost centres of the card sample, which
// GenerateSpend's lines are charged to.
var SpendDepartments = []string{"MKT", "HR", "IT", "DISC", "RND", "FIN", "CLIN", "CHEM", "BIO", "SALES", "CORP", "COM"}

// spendMerchants are descriptors as card networks print them, with their MCC.
var spendMerchants = [][2]string{
	{"ZOOM.US 888-799-9666", "4816"}, {"SLACK T02K8ABCD", "5734"}, {"FS *MIRO", "5734"}, {"PAYPAL *EVERNOTE", "5734"},
	{"MSFT * E0400ABCD", "5734"}, {"ATLASSIAN", "5734"}, {"GITHUB INC.", ""}, {"NOTION LABS INC", "5734"},
	{"CANVA* 03904-1234567", "5818"}, {"DIGITALOCEAN.COM", "4816"}, {"FS *QUILLSTACK", "5734"}, {"PADDLE.NET* N8N", "5734"},
	{"UBER *TRIP HELP.UBER.C", "4121"}, {"STARBUCKS #12345", "5814"}, {"HILTON GARDEN INN", "3504"}, {"STAPLES 00123", "5943"},
	{"UNITED AIRLINES", "3000"}, {"AMZN MKTP US*2K4T71", "5942"}, {"FEDEX 12345678", "4215"}, {"JOE'S DINER 0042", "5812"},
}

var spendCurrencies = []string{"GBP", "EUR", "USD", "CHF"}

// spendPeople is how many people pay: person i works in department i mod 12,
// which pays in currency i mod 12 mod 4, as a company's cards do.
const spendPeople = 5000

// GenerateSpend writes n card lines to w, of the months of 2026 before
// December (the shadow-spend window of the server's clock in December).
func GenerateSpend(w io.Writer, n int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 16))
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintln(bw, "date,merchant,amount,currency,department,employee_email,mcc,memo,transaction_id")
	for i := 0; i < n; i++ {
		m := spendMerchants[r.IntN(len(spendMerchants))]
		person := r.IntN(spendPeople)
		dept := person % len(SpendDepartments)
		fmt.Fprintf(bw, "2026-%02d-%02d,%s,%d.%02d,%s,%s,person%d@example.com,%s,subscription,T%09d\n",
			1+r.IntN(11), 1+r.IntN(28), m[0], 1+r.IntN(2000), r.IntN(100), spendCurrencies[dept%len(spendCurrencies)],
			SpendDepartments[dept], person, m[1], i)
	}
	return bw.Flush()
}
