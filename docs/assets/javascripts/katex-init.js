// Render the math that pymdownx.arithmatex leaves as \( … \) and \[ … \] with the vendored KaTeX.
// document$ is Material's page observable: it also fires after instant navigation.
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    throwOnError: false,
  });
});
