// A Next.js app (app router) using the shelfwise package, as a storefront
// would: server-rendered, hydrated, personalized in the browser.
export default {};
