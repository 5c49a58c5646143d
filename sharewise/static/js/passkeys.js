// After a passkey is added, go on to the recovery codes (or back to the page), which
// django-otp-webauthn's own script leaves to the page.
const box = document.getElementById("passkey-registration");
if (box) {
  box.addEventListener("otp_webauthn.register_complete", () => {
    window.location.assign(box.dataset.after);
  });
}
