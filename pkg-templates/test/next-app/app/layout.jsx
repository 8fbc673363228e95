export const metadata = { title: "Next.js app using shelfwise/react", icons: { icon: "data:," } };

export default function Layout({ children }) {
  return (
    <html lang="en">
      <head>
        <style>{`
          [data-shelfwise-held] { visibility: hidden; animation: shelfwise-hold 0s 600ms forwards; }
          @keyframes shelfwise-hold { to { visibility: visible; } }
        `}</style>
      </head>
      <body>{children}</body>
    </html>
  );
}
