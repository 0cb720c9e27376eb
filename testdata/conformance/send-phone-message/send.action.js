exports.onExecuteSendPhoneMessage = async (event, api) => {
  const { message_type, recipient, text } = event.message_options;
  console.log(message_type + ' to ' + recipient + ': ' + text);
};
