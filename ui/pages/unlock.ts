import { mount } from "svelte";
import Unlock from "./Unlock.svelte";

mount(Unlock, { target: document.getElementById("app")! });
