// Stored values damaged by another script, or crafted to pollute prototypes.
const damaged = {
  "shelfwise:v1:profile": "swp1\ni\tv\tNaN\t__proto__\tconstructor\n\u0000\u0000garbage\ng\t-1\t1e400\t__proto__\n",
  "shelfwise:v1:outbox": '{"__proto__":{"polluted":true}}\n{"id":{"__proto__":1}}\n[[[[',
  "shelfwise:v1:arm": "__proto__|constructor",
  "shelfwise:v1:visit": "zz|-5",
  "shelfwise:v1:exit": "NaN,,-1,1e999,__proto__",
  "shelfwise:v1:names": '[["__proto__",{"polluted":true}],["constructor","x"]]',
};
for (const [key, value] of Object.entries(damaged)) localStorage.setItem(key, value);
