package screeningtest

// A name of the pools: its Latin spellings (the first the usual one) and
// its spelling in the script of its language (Persian, Cyrillic or Arabic
// script).
type poolName struct {
	latin  []string
	native string
}

// A culture's names: given names, surnames, and how its names are built.
type culture struct {
	name     string
	country  string
	script   string // the native script: "arabic" or "cyrillic"
	given    []poolName
	surnames []poolName
	// patronymic makes a Russian patronymic of a given name.
	patronymic bool
}

func names(pairs ...string) []poolName {
	out := make([]poolName, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, poolName{latin: splitVariants(pairs[i]), native: pairs[i+1]})
	}
	return out
}

func splitVariants(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '|' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

var persian = culture{
	name: "persian", country: "IR", script: "arabic",
	given: names(
		"Mohammad|Mohammed|Muhammad|Mohamad", "محمد", "Ali", "علی", "Hossein|Hussein|Hosein", "حسین",
		"Reza", "رضا", "Mehdi|Mahdi", "مهدی", "Hassan|Hasan", "حسن", "Ahmad|Ahmed", "احمد", "Amir", "امیر",
		"Mohsen", "محسن", "Javad|Jawad", "جواد", "Saeed|Said", "سعید", "Majid", "مجید", "Hamid", "حمید",
		"Morteza|Mortaza", "مرتضی", "Mostafa|Mustafa", "مصطفی", "Abbas", "عباس", "Jafar|Ja'far", "جعفر",
		"Ebrahim|Ibrahim", "ابراهیم", "Esmaeil|Ismail", "اسماعیل", "Yousef|Yusuf", "یوسف", "Karim", "کریم",
		"Masoud|Masud", "مسعود", "Mahmoud|Mahmud", "محمود", "Davood|Davud", "داوود", "Naser|Nasser", "ناصر",
		"Farhad", "فرهاد", "Behrouz|Behruz", "بهروز", "Kourosh|Kurosh", "کوروش", "Dariush|Daryoush", "داریوش",
		"Bahram", "بهرام", "Parviz", "پرویز", "Kazem", "کاظم", "Hadi", "هادی", "Vahid", "وحید", "Ghasem|Qasem", "قاسم",
		"Fatemeh|Fatima", "فاطمه", "Zahra", "زهرا", "Maryam", "مریم", "Narges", "نرگس", "Leila|Leyla", "لیلا",
		"Mina", "مینا", "Shirin", "شیرین", "Parisa", "پریسا", "Sara", "سارا", "Zeinab|Zaynab", "زینب",
		"Masoumeh", "معصومه", "Roya", "رویا", "Elham", "الهام", "Nasrin", "نسرین", "Farzaneh", "فرزانه",
	),
	surnames: names(
		"Ahmadi", "احمدی", "Mohammadi", "محمدی", "Hosseini|Husseini", "حسینی", "Rezaei|Rezaee|Rezai", "رضایی",
		"Moradi", "مرادی", "Karimi", "کریمی", "Jafari", "جعفری", "Rahimi", "رحیمی", "Hashemi", "هاشمی",
		"Mousavi|Musavi", "موسوی", "Kazemi", "کاظمی", "Sadeghi|Sadeqi", "صادقی", "Ghasemi|Qasemi", "قاسمی",
		"Ebrahimi", "ابراهیمی", "Heydari|Haidari", "حیدری", "Najafi", "نجفی", "Asadi", "اسدی", "Bagheri|Baqeri", "باقری",
		"Akbari", "اکبری", "Mahdavi", "مهدوی", "Rostami", "رستمی", "Soltani", "سلطانی", "Shirazi", "شیرازی",
		"Tehrani", "تهرانی", "Esfahani|Isfahani", "اصفهانی", "Zamani", "زمانی", "Farahani", "فراهانی", "Nouri|Nuri", "نوری",
		"Amini", "امینی", "Khalili", "خلیلی", "Abbasi", "عباسی", "Yazdani", "یزدانی", "Tavakoli", "توکلی",
		"Salehi", "صالحی", "Alavi", "علوی", "Rahmani", "رحمانی", "Ghorbani|Qorbani", "قربانی", "Mirzaei", "میرزایی",
		"Kamali", "کمالی", "Jalali", "جلالی", "Zare", "زارع", "Shahbazi", "شهبازی", "Nazari", "نظری",
		"Hosseinzadeh", "حسین‌زاده", "Alizadeh", "علی‌زاده", "Ahmadinejad", "احمدی‌نژاد", "Asgharpour", "اصغرپور",
		"Ghaffari", "غفاری", "Sharifi", "شریفی", "Vaezi", "واعظی", "Golzari", "گلزاری", "Mokhtari", "مختاری",
	),
}

var russian = culture{
	name: "russian", country: "RU", script: "cyrillic", patronymic: true,
	given: names(
		"Aleksandr|Alexander", "Александр", "Sergey|Sergei", "Сергей", "Dmitry|Dmitriy|Dmitri", "Дмитрий",
		"Andrey|Andrei", "Андрей", "Alexey|Aleksei", "Алексей", "Ivan", "Иван", "Mikhail", "Михаил",
		"Nikolay|Nikolai", "Николай", "Vladimir", "Владимир", "Yuri|Yury|Yuriy", "Юрий", "Oleg", "Олег",
		"Pavel", "Павел", "Igor", "Игорь", "Anatoly|Anatoliy", "Анатолий", "Viktor|Victor", "Виктор",
		"Yevgeny|Evgeny", "Евгений", "Maxim|Maksim", "Максим", "Roman", "Роман", "Denis", "Денис",
		"Artem|Artyom", "Артём", "Konstantin", "Константин", "Vadim", "Вадим", "Boris", "Борис", "Gennady", "Геннадий",
		"Anna", "Анна", "Elena|Yelena", "Елена", "Olga", "Ольга", "Natalia|Natalya", "Наталья", "Irina", "Ирина",
		"Tatiana|Tatyana", "Татьяна", "Svetlana", "Светлана", "Maria|Mariya", "Мария", "Ekaterina|Yekaterina", "Екатерина",
		"Yulia|Yuliya", "Юлия",
	),
	surnames: names(
		"Ivanov", "Иванов", "Smirnov", "Смирнов", "Kuznetsov", "Кузнецов", "Popov", "Попов", "Vasiliev|Vasilyev", "Васильев",
		"Petrov", "Петров", "Sokolov", "Соколов", "Mikhailov|Mikhaylov", "Михайлов", "Novikov", "Новиков",
		"Fedorov|Fyodorov", "Фёдоров", "Morozov", "Морозов", "Volkov", "Волков", "Alekseev|Alekseyev", "Алексеев",
		"Lebedev", "Лебедев", "Semenov|Semyonov", "Семёнов", "Egorov|Yegorov", "Егоров", "Pavlov", "Павлов",
		"Kozlov", "Козлов", "Stepanov", "Степанов", "Nikolaev|Nikolayev", "Николаев", "Orlov", "Орлов",
		"Andreev|Andreyev", "Андреев", "Makarov", "Макаров", "Nikitin", "Никитин", "Zakharov", "Захаров",
		"Zaitsev|Zaytsev", "Зайцев", "Soloviev|Solovyov", "Соловьёв", "Borisov", "Борисов", "Yakovlev", "Яковлев",
		"Grigoriev|Grigoryev", "Григорьев", "Romanov", "Романов", "Vorobiev|Vorobyov", "Воробьёв", "Sergeev|Sergeyev", "Сергеев",
		"Frolov", "Фролов", "Belov", "Белов", "Gusev", "Гусев", "Titov", "Титов", "Kiselev|Kiselyov", "Киселёв",
		"Abramov", "Абрамов", "Sidorov", "Сидоров", "Shcherbakov", "Щербаков", "Zhukov", "Жуков", "Tkachenko", "Ткаченко",
		"Kovalenko", "Коваленко", "Dzhabrailov", "Джабраилов", "Magomedov", "Магомедов", "Aliev|Aliyev", "Алиев",
	),
}

var arab = culture{
	name: "arab", country: "IQ", script: "arabic",
	given: names(
		"Mohammed|Muhammad|Mohamed", "محمد", "Ahmed|Ahmad", "أحمد", "Ali", "علي", "Omar|Umar", "عمر", "Khalid|Khaled", "خالد",
		"Abdullah|Abdallah", "عبدالله", "Youssef|Yusuf", "يوسف", "Ibrahim", "إبراهيم", "Hassan|Hasan", "حسن",
		"Hussein|Husayn", "حسين", "Mahmoud|Mahmud", "محمود", "Mustafa|Mostafa", "مصطفى", "Tariq|Tarek", "طارق",
		"Samir", "سمير", "Karim", "كريم", "Walid", "وليد", "Nabil", "نبيل", "Faisal|Faysal", "فيصل", "Saleh|Salih", "صالح",
		"Hamza", "حمزة", "Yasser|Yasir", "ياسر", "Adel|Adil", "عادل", "Jamal", "جمال", "Said|Saeed", "سعيد",
		"Osama|Usama", "أسامة", "Bilal", "بلال", "Anwar", "أنور", "Fatima", "فاطمة", "Aisha|Aicha", "عائشة", "Mariam|Maryam", "مريم",
	),
	surnames: names(
		"al-Ahmad", "الأحمد", "al-Hassan", "الحسن", "Haddad", "حداد", "Khoury", "خوري", "Nasser", "ناصر", "Saleh", "صالح",
		"Hamdan", "حمدان", "al-Masri", "المصري", "al-Shami", "الشامي", "Mansour|Mansur", "منصور", "Aziz", "عزيز",
		"Jaber|Jabir", "جابر", "Khalil", "خليل", "Darwish", "درويش", "Qasim|Kassem", "قاسم", "Yassin|Yasin", "ياسين",
		"al-Tikriti", "التكريتي", "al-Dulaimi", "الدليمي", "al-Obeidi|al-Ubaidi", "العبيدي", "al-Jubouri|al-Juburi", "الجبوري",
		"al-Zubaidi", "الزبيدي", "al-Rubaie", "الربيعي", "al-Hashimi", "الهاشمي", "al-Janabi", "الجنابي", "Abbas", "عباس",
		"al-Qurashi", "القرشي", "al-Shammari", "الشمري", "Hamoud", "حمود", "Fadel|Fadhil", "فاضل", "Rashid", "راشد",
	),
}

var western = culture{
	name: "western", country: "GB", script: "",
	given: names(
		"John", "", "James", "", "Robert", "", "Michael", "", "William", "", "David", "", "Richard", "", "Thomas", "",
		"Daniel", "", "Mark", "", "Paul", "", "Peter", "", "George", "", "Maria", "", "Laura", "", "Elena", "",
		"Carlos", "", "Juan", "", "Luis", "", "Jose", "", "Pierre", "", "Hans", "", "Klaus", "", "Marco", "",
	),
	surnames: names(
		"Smith", "", "Johnson", "", "Brown", "", "Taylor", "", "Wilson", "", "Davies", "", "Evans", "", "Thomas", "",
		"Garcia", "", "Martinez", "", "Rodriguez", "", "Lopez", "", "Gonzalez", "", "Muller", "", "Schmidt", "",
		"Dubois", "", "Moreau", "", "Rossi", "", "Bianchi", "", "Jansen", "", "de Vries", "", "O'Brien", "", "Murphy", "",
	),
}

var eastAsian = culture{
	name: "east-asian", country: "KP", script: "",
	given: names(
		"Jong Un", "", "Chol", "", "Song Il", "", "Yong Ho", "", "Myong Guk", "", "Kwang Il", "", "Wei", "", "Jun", "",
		"Ming", "", "Hui", "", "Xiaoping", "", "Tae Sung", "", "Hyon", "",
	),
	surnames: names(
		"Kim", "", "Ri", "", "Pak", "", "Choe", "", "Jang", "", "Han", "", "O", "", "Li", "", "Wang", "", "Zhang", "",
		"Chen", "", "Liu", "", "Zhou", "",
	),
}

// Company names: words of a company name, in Latin with their Persian or
// Cyrillic rendering where a bank would write them so, and the forms.
var (
	companyWords = names(
		"Pars", "پارس", "Kish", "کیش", "Sepehr", "سپهر", "Arya", "آریا", "Tadbir", "تدبیر", "Kaveh", "کاوه",
		"Sahand", "سهند", "Damavand", "دماوند", "Persian Gulf", "خلیج فارس", "Tehran", "تهران", "Tabriz", "تبریز",
		"Mashhad", "مشهد", "Shiraz", "شیراز", "Novin", "نوین", "Sanat", "صنعت", "Tejarat", "تجارت", "Golestan", "گلستان",
	)
	companyWordsRU = names(
		"Volga", "Волга", "Ural", "Урал", "Sibir", "Сибирь", "Baltika", "Балтика", "Severstal", "Северсталь",
		"Neva", "Нева", "Kama", "Кама", "Don", "Дон", "Vostok", "Восток", "Zapad", "Запад", "Tekhno", "Техно",
		"Energo", "Энерго", "Neft", "Нефть", "Gaz", "Газ", "Trans", "Транс", "Stroy", "Строй", "Avto", "Авто",
	)
	companyWordsEN = []string{"Global", "International", "Eastern", "Western", "Northern", "Southern", "Golden", "Silver",
		"Blue", "Green", "Star", "Ocean", "Harbour", "Bridge", "Summit", "Pioneer", "Atlas", "Orient", "Crescent", "Horizon",
		"Phoenix", "Falcon", "Eagle", "Lion", "Cedar", "Delta", "Sigma", "Apex", "Prime", "Royal"}
	companyTrades = []string{"Trading", "Shipping", "Petrochemical", "Industries", "Engineering", "Logistics", "Energy",
		"Electronics", "Metals", "Aviation", "Marine", "Holding", "Investment", "Construction", "Exchange", "Technology"}
	companyForms = []string{"LLC", "Ltd", "Co.", "Company", "FZE", "FZCO", "JSC", "PJSC", "Limited", "Inc.", "S.A.", "GmbH"}
)
