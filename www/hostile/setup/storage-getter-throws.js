// The page (or a privacy extension) makes reading localStorage throw.
Object.defineProperty(window, "localStorage", {
  configurable: true,
  get() {
    throw new DOMException("The operation is insecure.", "SecurityError");
  },
});
