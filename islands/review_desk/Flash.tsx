/** The desk's last word: what was done, or an error (announced as an alert). */
import type { Message } from "./state.ts";

export function Flash(props: { message: Message }) {
  const { message } = props;
  return (
    <div
      class={`flash${message.error ? " error" : ""}`}
      data-testid="message"
      role={message.error ? "alert" : "status"}
    >
      {message.text}
    </div>
  );
}
