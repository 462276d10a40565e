package screening

import (
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// countryTable lists every ISO 3166-1 alpha-2 code with the English names
// lists use for it: ISO's short name, its official name, its common name,
// then the spellings the UN and OFAC publish where these differ ("Iran
// (Islamic Republic of)", "Korea, North", "Burma", "Russia").
//
// XK (Kosovo) is not assigned by ISO but is the code the EU, SWIFT and the
// banks use; OFAC gives Kosovo as an address country, so leaving it out
// would drop a real tie.
var countryTable = []struct {
	code  string
	names []string
}{
	{"AD", []string{"Andorra", "Principality of Andorra"}},
	{"AE", []string{"United Arab Emirates"}},
	{"AF", []string{"Afghanistan", "Islamic Republic of Afghanistan"}},
	{"AG", []string{"Antigua and Barbuda"}},
	{"AI", []string{"Anguilla"}},
	{"AL", []string{"Albania", "Republic of Albania"}},
	{"AM", []string{"Armenia", "Republic of Armenia"}},
	{"AO", []string{"Angola", "Republic of Angola"}},
	{"AQ", []string{"Antarctica"}},
	{"AR", []string{"Argentina", "Argentine Republic"}},
	{"AS", []string{"American Samoa"}},
	{"AT", []string{"Austria", "Republic of Austria"}},
	{"AU", []string{"Australia"}},
	{"AW", []string{"Aruba"}},
	{"AX", []string{"Åland Islands"}},
	{"AZ", []string{"Azerbaijan", "Republic of Azerbaijan"}},
	{"BA", []string{"Bosnia and Herzegovina", "Republic of Bosnia and Herzegovina"}},
	{"BB", []string{"Barbados"}},
	{"BD", []string{"Bangladesh", "People's Republic of Bangladesh"}},
	{"BE", []string{"Belgium", "Kingdom of Belgium"}},
	{"BF", []string{"Burkina Faso"}},
	{"BG", []string{"Bulgaria", "Republic of Bulgaria"}},
	{"BH", []string{"Bahrain", "Kingdom of Bahrain"}},
	{"BI", []string{"Burundi", "Republic of Burundi"}},
	{"BJ", []string{"Benin", "Republic of Benin"}},
	{"BL", []string{"Saint Barthélemy"}},
	{"BM", []string{"Bermuda"}},
	{"BN", []string{"Brunei Darussalam", "Brunei"}},
	{"BO", []string{"Bolivia, Plurinational State of", "Plurinational State of Bolivia", "Bolivia", "Bolivia (Plurinational State of)"}},
	{"BQ", []string{"Bonaire, Sint Eustatius and Saba"}},
	{"BR", []string{"Brazil", "Federative Republic of Brazil"}},
	{"BS", []string{"Bahamas", "Commonwealth of the Bahamas", "Bahamas, The", "The Bahamas"}},
	{"BT", []string{"Bhutan", "Kingdom of Bhutan"}},
	{"BV", []string{"Bouvet Island"}},
	{"BW", []string{"Botswana", "Republic of Botswana"}},
	{"BY", []string{"Belarus", "Republic of Belarus"}},
	{"BZ", []string{"Belize"}},
	{"CA", []string{"Canada"}},
	{"CC", []string{"Cocos (Keeling) Islands"}},
	{"CD", []string{"Congo, The Democratic Republic of the", "Democratic Republic of the Congo", "Congo, Democratic Republic of the", "Congo (Kinshasa)"}},
	{"CF", []string{"Central African Republic"}},
	{"CG", []string{"Congo", "Republic of the Congo", "Congo, Republic of the", "Congo (Brazzaville)"}},
	{"CH", []string{"Switzerland", "Swiss Confederation"}},
	{"CI", []string{"Côte d'Ivoire", "Republic of Côte d'Ivoire", "Ivory Coast"}},
	{"CK", []string{"Cook Islands"}},
	{"CL", []string{"Chile", "Republic of Chile"}},
	{"CM", []string{"Cameroon", "Republic of Cameroon"}},
	{"CN", []string{"China", "People's Republic of China"}},
	{"CO", []string{"Colombia", "Republic of Colombia"}},
	{"CR", []string{"Costa Rica", "Republic of Costa Rica"}},
	{"CU", []string{"Cuba", "Republic of Cuba"}},
	{"CV", []string{"Cabo Verde", "Republic of Cabo Verde", "Cape Verde"}},
	{"CW", []string{"Curaçao"}},
	{"CX", []string{"Christmas Island"}},
	{"CY", []string{"Cyprus", "Republic of Cyprus"}},
	{"CZ", []string{"Czechia", "Czech Republic"}},
	{"DE", []string{"Germany", "Federal Republic of Germany"}},
	{"DJ", []string{"Djibouti", "Republic of Djibouti"}},
	{"DK", []string{"Denmark", "Kingdom of Denmark"}},
	{"DM", []string{"Dominica", "Commonwealth of Dominica"}},
	{"DO", []string{"Dominican Republic"}},
	{"DZ", []string{"Algeria", "People's Democratic Republic of Algeria"}},
	{"EC", []string{"Ecuador", "Republic of Ecuador"}},
	{"EE", []string{"Estonia", "Republic of Estonia"}},
	{"EG", []string{"Egypt", "Arab Republic of Egypt"}},
	{"EH", []string{"Western Sahara"}},
	{"ER", []string{"Eritrea", "State of Eritrea"}},
	{"ES", []string{"Spain", "Kingdom of Spain"}},
	{"ET", []string{"Ethiopia", "Federal Democratic Republic of Ethiopia"}},
	{"FI", []string{"Finland", "Republic of Finland"}},
	{"FJ", []string{"Fiji", "Republic of Fiji"}},
	{"FK", []string{"Falkland Islands (Malvinas)"}},
	{"FM", []string{"Micronesia, Federated States of", "Federated States of Micronesia", "Micronesia (Federated States of)", "Micronesia"}},
	{"FO", []string{"Faroe Islands"}},
	{"FR", []string{"France", "French Republic"}},
	{"GA", []string{"Gabon", "Gabonese Republic"}},
	{"GB", []string{"United Kingdom", "United Kingdom of Great Britain and Northern Ireland", "Great Britain"}},
	{"GD", []string{"Grenada"}},
	{"GE", []string{"Georgia"}},
	{"GF", []string{"French Guiana"}},
	{"GG", []string{"Guernsey"}},
	{"GH", []string{"Ghana", "Republic of Ghana"}},
	{"GI", []string{"Gibraltar"}},
	{"GL", []string{"Greenland"}},
	{"GM", []string{"Gambia", "Republic of the Gambia", "Gambia, The", "The Gambia"}},
	{"GN", []string{"Guinea", "Republic of Guinea"}},
	{"GP", []string{"Guadeloupe"}},
	{"GQ", []string{"Equatorial Guinea", "Republic of Equatorial Guinea"}},
	{"GR", []string{"Greece", "Hellenic Republic"}},
	{"GS", []string{"South Georgia and the South Sandwich Islands"}},
	{"GT", []string{"Guatemala", "Republic of Guatemala"}},
	{"GU", []string{"Guam"}},
	{"GW", []string{"Guinea-Bissau", "Republic of Guinea-Bissau"}},
	{"GY", []string{"Guyana", "Republic of Guyana"}},
	{"HK", []string{"Hong Kong", "Hong Kong Special Administrative Region of China", "China, Hong Kong Special Administrative Region"}},
	{"HM", []string{"Heard Island and McDonald Islands"}},
	{"HN", []string{"Honduras", "Republic of Honduras"}},
	{"HR", []string{"Croatia", "Republic of Croatia"}},
	{"HT", []string{"Haiti", "Republic of Haiti"}},
	{"HU", []string{"Hungary"}},
	{"ID", []string{"Indonesia", "Republic of Indonesia"}},
	{"IE", []string{"Ireland"}},
	{"IL", []string{"Israel", "State of Israel"}},
	{"IM", []string{"Isle of Man"}},
	{"IN", []string{"India", "Republic of India"}},
	{"IO", []string{"British Indian Ocean Territory"}},
	{"IQ", []string{"Iraq", "Republic of Iraq"}},
	{"IR", []string{"Iran, Islamic Republic of", "Islamic Republic of Iran", "Iran", "Iran (Islamic Republic of)"}},
	{"IS", []string{"Iceland", "Republic of Iceland"}},
	{"IT", []string{"Italy", "Italian Republic"}},
	{"JE", []string{"Jersey"}},
	{"JM", []string{"Jamaica"}},
	{"JO", []string{"Jordan", "Hashemite Kingdom of Jordan"}},
	{"JP", []string{"Japan"}},
	{"KE", []string{"Kenya", "Republic of Kenya"}},
	{"KG", []string{"Kyrgyzstan", "Kyrgyz Republic"}},
	{"KH", []string{"Cambodia", "Kingdom of Cambodia"}},
	{"KI", []string{"Kiribati", "Republic of Kiribati"}},
	{"KM", []string{"Comoros", "Union of the Comoros"}},
	{"KN", []string{"Saint Kitts and Nevis"}},
	{"KP", []string{"Korea, Democratic People's Republic of", "Democratic People's Republic of Korea", "North Korea", "Korea, North"}},
	{"KR", []string{"Korea, Republic of", "South Korea", "Republic of Korea", "Korea, South"}},
	{"KW", []string{"Kuwait", "State of Kuwait"}},
	{"KY", []string{"Cayman Islands"}},
	{"KZ", []string{"Kazakhstan", "Republic of Kazakhstan"}},
	{"LA", []string{"Lao People's Democratic Republic", "Laos"}},
	{"LB", []string{"Lebanon", "Lebanese Republic"}},
	{"LC", []string{"Saint Lucia"}},
	{"LI", []string{"Liechtenstein", "Principality of Liechtenstein"}},
	{"LK", []string{"Sri Lanka", "Democratic Socialist Republic of Sri Lanka"}},
	{"LR", []string{"Liberia", "Republic of Liberia"}},
	{"LS", []string{"Lesotho", "Kingdom of Lesotho"}},
	{"LT", []string{"Lithuania", "Republic of Lithuania"}},
	{"LU", []string{"Luxembourg", "Grand Duchy of Luxembourg"}},
	{"LV", []string{"Latvia", "Republic of Latvia"}},
	{"LY", []string{"Libya"}},
	{"MA", []string{"Morocco", "Kingdom of Morocco"}},
	{"MC", []string{"Monaco", "Principality of Monaco"}},
	{"MD", []string{"Moldova, Republic of", "Republic of Moldova", "Moldova"}},
	{"ME", []string{"Montenegro"}},
	{"MF", []string{"Saint Martin (French part)", "Saint Martin"}},
	{"MG", []string{"Madagascar", "Republic of Madagascar"}},
	{"MH", []string{"Marshall Islands", "Republic of the Marshall Islands"}},
	{"MK", []string{"North Macedonia", "Republic of North Macedonia", "Macedonia", "The former Yugoslav Republic of Macedonia"}},
	{"ML", []string{"Mali", "Republic of Mali"}},
	{"MM", []string{"Myanmar", "Republic of Myanmar", "Burma"}},
	{"MN", []string{"Mongolia"}},
	{"MO", []string{"Macao", "Macao Special Administrative Region of China", "China, Macao Special Administrative Region", "Macau"}},
	{"MP", []string{"Northern Mariana Islands", "Commonwealth of the Northern Mariana Islands"}},
	{"MQ", []string{"Martinique"}},
	{"MR", []string{"Mauritania", "Islamic Republic of Mauritania"}},
	{"MS", []string{"Montserrat"}},
	{"MT", []string{"Malta", "Republic of Malta"}},
	{"MU", []string{"Mauritius", "Republic of Mauritius"}},
	{"MV", []string{"Maldives", "Republic of Maldives"}},
	{"MW", []string{"Malawi", "Republic of Malawi"}},
	{"MX", []string{"Mexico", "United Mexican States"}},
	{"MY", []string{"Malaysia"}},
	{"MZ", []string{"Mozambique", "Republic of Mozambique"}},
	{"NA", []string{"Namibia", "Republic of Namibia"}},
	{"NC", []string{"New Caledonia"}},
	{"NE", []string{"Niger", "Republic of the Niger"}},
	{"NF", []string{"Norfolk Island"}},
	{"NG", []string{"Nigeria", "Federal Republic of Nigeria"}},
	{"NI", []string{"Nicaragua", "Republic of Nicaragua"}},
	{"NL", []string{"Netherlands", "Kingdom of the Netherlands", "Netherlands (Kingdom of the)"}},
	{"NO", []string{"Norway", "Kingdom of Norway"}},
	{"NP", []string{"Nepal", "Federal Democratic Republic of Nepal"}},
	{"NR", []string{"Nauru", "Republic of Nauru"}},
	{"NU", []string{"Niue"}},
	{"NZ", []string{"New Zealand"}},
	{"OM", []string{"Oman", "Sultanate of Oman"}},
	{"PA", []string{"Panama", "Republic of Panama"}},
	{"PE", []string{"Peru", "Republic of Peru"}},
	{"PF", []string{"French Polynesia"}},
	{"PG", []string{"Papua New Guinea", "Independent State of Papua New Guinea"}},
	{"PH", []string{"Philippines", "Republic of the Philippines"}},
	{"PK", []string{"Pakistan", "Islamic Republic of Pakistan"}},
	{"PL", []string{"Poland", "Republic of Poland"}},
	{"PM", []string{"Saint Pierre and Miquelon"}},
	{"PN", []string{"Pitcairn"}},
	{"PR", []string{"Puerto Rico"}},
	{"PS", []string{"Palestine, State of", "State of Palestine", "West Bank", "Gaza", "Gaza Strip"}},
	{"PT", []string{"Portugal", "Portuguese Republic"}},
	{"PW", []string{"Palau", "Republic of Palau"}},
	{"PY", []string{"Paraguay", "Republic of Paraguay"}},
	{"QA", []string{"Qatar", "State of Qatar"}},
	{"RE", []string{"Réunion"}},
	{"RO", []string{"Romania"}},
	{"RS", []string{"Serbia", "Republic of Serbia"}},
	{"RU", []string{"Russian Federation", "Russia"}},
	{"RW", []string{"Rwanda", "Rwandese Republic"}},
	{"SA", []string{"Saudi Arabia", "Kingdom of Saudi Arabia"}},
	{"SB", []string{"Solomon Islands"}},
	{"SC", []string{"Seychelles", "Republic of Seychelles"}},
	{"SD", []string{"Sudan", "Republic of the Sudan"}},
	{"SE", []string{"Sweden", "Kingdom of Sweden"}},
	{"SG", []string{"Singapore", "Republic of Singapore"}},
	{"SH", []string{"Saint Helena, Ascension and Tristan da Cunha"}},
	{"SI", []string{"Slovenia", "Republic of Slovenia"}},
	{"SJ", []string{"Svalbard and Jan Mayen"}},
	{"SK", []string{"Slovakia", "Slovak Republic"}},
	{"SL", []string{"Sierra Leone", "Republic of Sierra Leone"}},
	{"SM", []string{"San Marino", "Republic of San Marino"}},
	{"SN", []string{"Senegal", "Republic of Senegal"}},
	{"SO", []string{"Somalia", "Federal Republic of Somalia"}},
	{"SR", []string{"Suriname", "Republic of Suriname"}},
	{"SS", []string{"South Sudan", "Republic of South Sudan"}},
	{"ST", []string{"Sao Tome and Principe", "Democratic Republic of Sao Tome and Principe"}},
	{"SV", []string{"El Salvador", "Republic of El Salvador"}},
	{"SX", []string{"Sint Maarten (Dutch part)", "Sint Maarten"}},
	{"SY", []string{"Syrian Arab Republic", "Syria"}},
	{"SZ", []string{"Eswatini", "Kingdom of Eswatini", "Swaziland"}},
	{"TC", []string{"Turks and Caicos Islands"}},
	{"TD", []string{"Chad", "Republic of Chad"}},
	{"TF", []string{"French Southern Territories"}},
	{"TG", []string{"Togo", "Togolese Republic"}},
	{"TH", []string{"Thailand", "Kingdom of Thailand"}},
	{"TJ", []string{"Tajikistan", "Republic of Tajikistan"}},
	{"TK", []string{"Tokelau"}},
	{"TL", []string{"Timor-Leste", "Democratic Republic of Timor-Leste", "East Timor"}},
	{"TM", []string{"Turkmenistan"}},
	{"TN", []string{"Tunisia", "Republic of Tunisia"}},
	{"TO", []string{"Tonga", "Kingdom of Tonga"}},
	{"TR", []string{"Türkiye", "Republic of Türkiye", "Turkey"}},
	{"TT", []string{"Trinidad and Tobago", "Republic of Trinidad and Tobago"}},
	{"TV", []string{"Tuvalu"}},
	{"TW", []string{"Taiwan, Province of China", "Taiwan"}},
	{"TZ", []string{"Tanzania, United Republic of", "United Republic of Tanzania", "Tanzania"}},
	{"UA", []string{"Ukraine"}},
	{"UG", []string{"Uganda", "Republic of Uganda"}},
	{"UM", []string{"United States Minor Outlying Islands"}},
	{"US", []string{"United States", "United States of America"}},
	{"UY", []string{"Uruguay", "Eastern Republic of Uruguay"}},
	{"UZ", []string{"Uzbekistan", "Republic of Uzbekistan"}},
	{"VA", []string{"Holy See (Vatican City State)", "Holy See", "Vatican City"}},
	{"VC", []string{"Saint Vincent and the Grenadines"}},
	{"VE", []string{"Venezuela, Bolivarian Republic of", "Bolivarian Republic of Venezuela", "Venezuela", "Venezuela (Bolivarian Republic of)"}},
	{"VG", []string{"Virgin Islands, British", "British Virgin Islands"}},
	{"VI", []string{"Virgin Islands, U.S.", "Virgin Islands of the United States", "U.S. Virgin Islands"}},
	{"VN", []string{"Viet Nam", "Socialist Republic of Viet Nam", "Vietnam"}},
	{"VU", []string{"Vanuatu", "Republic of Vanuatu"}},
	{"WF", []string{"Wallis and Futuna"}},
	{"WS", []string{"Samoa", "Independent State of Samoa"}},
	{"XK", []string{"Kosovo"}},
	{"YE", []string{"Yemen", "Republic of Yemen"}},
	{"YT", []string{"Mayotte"}},
	{"ZA", []string{"South Africa", "Republic of South Africa"}},
	{"ZM", []string{"Zambia", "Republic of Zambia"}},
	{"ZW", []string{"Zimbabwe", "Republic of Zimbabwe"}},
}

// countryIndex maps a folded country name (see countryKey) to its code and
// holds every code as a name of itself, built once on first use.
var countryIndex = sync.OnceValues(func() (byName map[string]string, codes map[string]bool) {
	byName = make(map[string]string, 4*len(countryTable))
	codes = make(map[string]bool, len(countryTable))
	for _, c := range countryTable {
		codes[c.code] = true
		for _, n := range c.names {
			byName[countryKey(n)] = c.code
		}
	}
	return byName, codes
})

// countryCode returns the alpha-2 code of a country as a list names it,
// and false for a name that is not a country of the table ("former Soviet
// Union", "na"): lists tie entries to places that no longer exist or were
// never countries, and such a tie is dropped rather than guessed.
func countryCode(name string) (string, bool) {
	byName, _ := countryIndex()
	code, ok := byName[countryKey(name)]
	return code, ok
}

// countryCodeKnown reports whether code is an upper-case alpha-2 code of
// the table.
func countryCodeKnown(code string) bool {
	_, codes := countryIndex()
	return codes[code]
}

// countryKey folds a country name so that the spellings of one list and
// another meet: accents dropped ("Türkiye", "Cote d'Ivoire"), case and
// runs of spaces ignored, typographic apostrophes made plain.
func countryKey(name string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(strings.TrimSpace(name)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		case r == '\u2019' || r == '\u2018':
			r = '\''
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
