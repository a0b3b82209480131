// Finding page: show the five "why?" fields only when the five-whys method is chosen.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector(".root-cause-form");
  if (!form) return;
  const whys = [1, 2, 3, 4, 5].map((i) => form.querySelector(`#id_root_cause_why${i}`)?.closest(".field"));
  const update = () => {
    const method = form.querySelector('input[name="method"]:checked');
    const show = !method || method.value === "five_whys";
    whys.forEach((field) => { if (field) field.hidden = !show; });
  };
  form.addEventListener("change", update);
  update();
});
