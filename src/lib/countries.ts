// ISO 3166-1 alpha-2: the 249 officially assigned codes, by first letter: "AD…"
// lists AD, AE, AF… (each word is a first letter followed by the second letters
// that complete a code), which keeps the list small in the worker bundle.
const byFirstLetter =
  "ADEFGILMOQRSTUWXZ BABDEFGHIJLMNOQRSTVWYZ CACDFGHIKLMNORUVWXYZ DEJKMOZ ECEGHRST FIJKMOR GABDEFGHILMNPQRSTUWY HKMNRTU IDELMNOQRST JEMOP KEGHIMNPRWYZ LABCIKRSTUVY MACDEFGHKLMNOPQRSTUVWXYZ NACEFGILOPRUZ OM PAEFGHKLMNRSTWY QA REOSUW SABCDEGHIJKLMNORSTVXYZ TCDFGHJKLMNORTVWZ UAGMSYZ VACEGINU WFS YET ZAMW";

const assigned = new Set(
  byFirstLetter.split(" ").flatMap(([first = "", ...seconds]) => seconds.map((second) => first + second)),
);

export const isCountryCode = (value: string) => assigned.has(value);
