// Page behaviour that used to live in hx-on attributes: htmx runs those through the Function
// constructor, which the Content-Security-Policy (no 'unsafe-eval') refuses. Served from /static.

// Forms marked data-reset-on-success clear after a successful request (chat box, new task).
document.addEventListener('htmx:after:request', (event) => {
  const form = event.target
  const status = event.detail?.ctx?.response?.status
  if (form instanceof HTMLFormElement && form.hasAttribute('data-reset-on-success') && status < 400)
    form.reset()
})

// hx-ws reconnects by itself; the page just says so.
document.addEventListener('htmx:ws:close', () => {
  const status = document.getElementById('live-status')
  if (status) status.textContent = 'reconnecting…'
})
